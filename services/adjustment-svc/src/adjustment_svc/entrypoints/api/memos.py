"""`/v1/memos`: issued credit and debit memos and their PDF documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from adjustment_svc.adapters.memo_document import render_memo_pdf
from adjustment_svc.adapters.memo_repository import MemoRepository
from adjustment_svc.app.ports import MemoRecord
from adjustment_svc.entrypoints.api.schemas import MemoOut
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/memos", tags=["memos"])


async def _memo(session, memo_id: str) -> MemoRecord:
    async with session.begin():
        memo = await MemoRepository(session).get(memo_id)
    if memo is None:
        raise NotFound(f"no memo {memo_id}")
    return memo


@router.get("", response_model=Page[MemoOut], summary="Issued memos, newest first")
async def list_memos(session: Session, _principal: CurrentPrincipal, invoice_id: str | None = Query(None),
                     kind: Literal["credit", "debit"] | None = Query(None), limit: Limit = 50,
                     cursor: Cursor = None) -> Page[MemoOut]:
    position = decode_cursor(cursor)
    after = (datetime.fromisoformat(position["at"]), position["id"]) if position else None
    async with session.begin():
        rows = await MemoRepository(session).list(invoice_id=invoice_id, kind=kind, limit=limit, after=after)
    page = page_of(rows, limit, lambda m: {"at": m.issued_at.isoformat(), "id": m.memo_id})
    return Page[MemoOut](items=[MemoOut.of(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/{memo_id}", response_model=MemoOut, summary="An issued memo")
async def get_memo(memo_id: str, session: Session, _principal: CurrentPrincipal) -> MemoOut:
    return MemoOut.of(await _memo(session, memo_id))


@router.get("/{memo_id}/document", summary="The memo as PDF",
            responses={200: {"content": {"application/pdf": {}}}}, response_class=Response)
async def memo_document(memo_id: str, session: Session, _principal: CurrentPrincipal) -> Response:
    memo = await _memo(session, memo_id)
    memo = replace(memo, total=memo.total.rounded())
    return Response(render_memo_pdf(memo), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{memo.memo_number}.pdf"'})
