"""`/v1/dead-letters`: what accounting-svc's consumer dead-lettered (close.md C10: they hold the close), and a billing
director's dismissal of one that posts nothing."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Query

from accounting_svc.adapters.dead_letter_log import DeadLetterRepository
from accounting_svc.app.dead_letters import dismiss_dead_letter
from accounting_svc.app.ports import DeadLetterRecord
from accounting_svc.entrypoints.api.deps import Director, RequestUnit
from accounting_svc.entrypoints.api.schemas import DeadLetterOut, DismissBody
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"])
LetterId = Path(ge=1, le=2**63 - 1, description="the letter's id, from the list or a failing journal_complete")


def _out(letter: DeadLetterRecord) -> DeadLetterOut:
    return DeadLetterOut.model_validate(dataclasses.asdict(letter))


@router.get("", response_model=Page[DeadLetterOut], summary="Dead letters of accounting-svc's consumer, newest first")
async def list_dead_letters(
        session: Session, _principal: CurrentPrincipal,
        dismissed: Annotated[bool, Query(description="true: dismissed ones too")] = False,
        limit: Limit = 50, cursor: Cursor = None) -> Page[DeadLetterOut]:
    position = decode_cursor(cursor)
    try:
        before = int(position["id"]) if position else None
    except (KeyError, TypeError, ValueError) as exc:
        raise Unprocessable("cursor is not valid; pass next_cursor from a previous page") from exc
    async with session.begin():
        rows = await DeadLetterRepository(session).page(outstanding_only=not dismissed, before_id=before,
                                                        limit=limit + 1)
    page = page_of(rows, limit, lambda r: {"id": r.letter_id})
    return Page[DeadLetterOut](items=[_out(r) for r in page.items], next_cursor=page.next_cursor)


@router.post("/{letter_id}/dismiss", response_model=DeadLetterOut,
             summary="Dismiss a dead letter that posts nothing (billing-director, a reason required; audited)",
             responses={404: {"description": "no such dead letter"},
                        409: {"description": "dismissed already"}})
async def dismiss(body: DismissBody, unit: RequestUnit, principal: Director,
                  letter_id: Annotated[int, LetterId]) -> DeadLetterOut:
    async with unit.session.begin():
        letter = await dismiss_dead_letter(unit, DeadLetterRepository(unit.session), letter_id, actor=principal.sub,
                                           reason=body.reason)
    return _out(letter)
