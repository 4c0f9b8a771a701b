"""`/v1/disputes`: open, list, read, assign, comment, withdraw, resolve."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from dispute_svc.app import commands
from dispute_svc.app.ports import Clock, DisputeFilter, DisputeUnit
from dispute_svc.app.views import dispute_view
from dispute_svc.domain.model import Attachment, Dispute
from dispute_svc.domain.opening import RequestedLine
from dispute_svc.entrypoints.api.common import actor_of, expected_version
from dispute_svc.entrypoints.api.deps import DisputeCtx, RequestClock, RequestUnit
from dispute_svc.entrypoints.api.schemas import (
    AgeBucket,
    AssignIn,
    CommentIn,
    DisputeOut,
    DisputePage,
    OpenDisputeIn,
    ResolveIn,
    Status,
    WithdrawIn,
)
from mediabill_common.auth.principal import Principal
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit, decode_cursor, encode_cursor
from mediabill_common.web.problems import NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/v1/disputes", tags=["disputes"])
Opener = Annotated[Principal, Depends(require_roles("billing-analyst", "service"))]
Analyst = Annotated[Principal, Depends(require_roles("billing-analyst"))]
IfMatch = Annotated[str | None, Header(description="ETag of the dispute the change is based on")]


def _attachments(items) -> tuple[Attachment, ...]:
    return tuple(Attachment(a.url, a.name, a.sha256) for a in items)


def _position(position: dict | None) -> tuple[datetime, str] | None:
    if not position:
        return None
    try:
        return datetime.fromisoformat(position["opened_at"]), str(position["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Unprocessable("cursor is not valid; pass next_cursor from a previous page",
                            errors=[{"field": "cursor", "in": "query", "message": "invalid cursor"}]) from exc


async def _full(clock: Clock, unit: DisputeUnit, dispute: Dispute) -> DisputeOut:
    return DisputeOut.model_validate(dispute_view(
        dispute, clock.now(), history=await unit.disputes.history(dispute.dispute_id),
        attachments=await unit.disputes.attachments(dispute.dispute_id)))


@router.post("", status_code=201, response_model=DisputeOut, summary="Open a dispute on an issued invoice",
             description="Validated against the invoice as dispute-svc knows it from events: issued and not void, "
                         "inside the dispute window, each line disputable and within its headroom (rule 18).")
async def open_dispute(body: OpenDisputeIn, ctx: DisputeCtx, unit: RequestUnit, principal: Opener,
                       clock: RequestClock, response: Response) -> DisputeOut:
    cmd = commands.OpenDisputeCommand(
        invoice_id=body.invoice_id, lines=[RequestedLine(ln.invoice_line_id, ln.amount) for ln in body.lines],
        reason_code=body.reason_code, description=body.description, attachments=_attachments(body.attachments))
    async with unit.session.begin():
        dispute = await commands.open_new_dispute(unit, cmd, actor_of(principal), clock=clock,
                                                  window_days=ctx.settings.dispute_window_days)
        out = await _full(clock, unit, dispute)
    response.headers["Location"] = f"/v1/disputes/{dispute.dispute_id}"
    set_etag(response, dispute.version)
    return out


@router.get("", response_model=DisputePage, summary="Disputes, newest first, with SLA due times and age")
async def list_disputes(
    ctx: DisputeCtx, unit: RequestUnit, _principal: CurrentPrincipal,
    status: Status | None = None, reason_code: str | None = None, bill_to_account_id: str | None = None,
    assignee: str | None = None, invoice_id: str | None = None,
    overdue: Annotated[bool | None, Query(description="true: active and past a due time; false: the others")] = None,
    age_bucket: Annotated[AgeBucket | None, Query(description="age in whole days: 0-7d, 8-30d, 31-60d, >60d")] = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> DisputePage:
    after = _position(decode_cursor(cursor))
    now = ctx.deps.clock.now()
    flt = DisputeFilter(status=status, reason_code=reason_code, bill_to_account_id=bill_to_account_id,
                        assignee=assignee, invoice_id=invoice_id, overdue=overdue, age_bucket=age_bucket)
    async with unit.session.begin():
        found = await unit.disputes.worklist(flt, now=now, limit=limit, after=after)
    next_cursor = None
    if len(found) > limit:
        last = found[limit - 1]
        next_cursor = encode_cursor({"opened_at": last.opened_at.isoformat(), "id": last.dispute_id})
    # One validation for the page (in pydantic-core) rather than one per dispute.
    return DisputePage.model_validate({"items": [dispute_view(d, now) for d in found[:limit]],
                                       "next_cursor": next_cursor})


@router.get("/{dispute_id}", response_model=DisputeOut, summary="A dispute with its SLA clock and full history")
async def get_dispute(dispute_id: str, ctx: DisputeCtx, unit: RequestUnit, _principal: CurrentPrincipal,
                      response: Response) -> DisputeOut:
    async with unit.session.begin():
        dispute = await unit.disputes.get(dispute_id)
        if dispute is None:
            raise NotFound(f"dispute {dispute_id} does not exist")
        out = await _full(ctx.deps.clock, unit, dispute)
    set_etag(response, dispute.version)
    return out


@router.post("/{dispute_id}/assign", response_model=DisputeOut, summary="Assign to an analyst (open -> in_review)")
async def assign(dispute_id: str, body: AssignIn, ctx: DisputeCtx, unit: RequestUnit, principal: Analyst,
                 clock: RequestClock, response: Response, if_match: IfMatch = None) -> DisputeOut:
    async with unit.session.begin():
        dispute = await commands.assign_dispute(unit, dispute_id, body.assignee, actor_of(principal),
                                                clock=clock, expected_version=expected_version(if_match))
        out = await _full(clock, unit, dispute)
    set_etag(response, dispute.version)
    return out


@router.post("/{dispute_id}/comments", response_model=DisputeOut, status_code=201,
             summary="Add a note, with attachments by reference")
async def comment(dispute_id: str, body: CommentIn, ctx: DisputeCtx, unit: RequestUnit, principal: Analyst,
                  clock: RequestClock, response: Response) -> DisputeOut:
    async with unit.session.begin():
        dispute = await commands.comment_on_dispute(unit, dispute_id, body.note, _attachments(body.attachments),
                                                    actor_of(principal), clock=clock)
        out = await _full(clock, unit, dispute)
    set_etag(response, dispute.version)
    return out


@router.post("/{dispute_id}/withdraw", response_model=DisputeOut, summary="Withdraw (open or in_review)")
async def withdraw(dispute_id: str, ctx: DisputeCtx, unit: RequestUnit, principal: Analyst, clock: RequestClock,
                   response: Response, body: WithdrawIn | None = None, if_match: IfMatch = None) -> DisputeOut:
    async with unit.session.begin():
        dispute = await commands.withdraw_dispute(unit, dispute_id, body.note if body else None,
                                                  actor_of(principal), clock=clock,
                                                  expected_version=expected_version(if_match))
        out = await _full(clock, unit, dispute)
    set_etag(response, dispute.version)
    return out


@router.post("/{dispute_id}/resolve", response_model=DisputeOut,
             summary="Resolve (in_review -> resolved) with outcome, credit and note",
             description="upheld: credit = disputed amount; partially_upheld: 0 < credit < disputed; rejected: 0. "
                         "A credit above the auto-approval limit (default 250.00 per currency) needs a "
                         "billing-manager.")
async def resolve(dispute_id: str, body: ResolveIn, ctx: DisputeCtx, unit: RequestUnit, principal: Analyst,
                  clock: RequestClock, response: Response, if_match: IfMatch = None) -> DisputeOut:
    async with unit.session.begin():
        dispute = await commands.resolve_dispute(unit, dispute_id, body.outcome, body.credit_amount,
                                                 body.resolution_note, actor_of(principal),
                                                 clock=clock, credit_limit=ctx.settings.credit_limit,
                                                 expected_version=expected_version(if_match),
                                                 root_cause=body.root_cause)
        out = await _full(clock, unit, dispute)
    set_etag(response, dispute.version)
    return out
