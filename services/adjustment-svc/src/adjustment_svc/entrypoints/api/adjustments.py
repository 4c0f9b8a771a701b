"""`/v1/adjustments`: credit and debit requests and their approval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from adjustment_svc.adapters.adjustment_repository import AdjustmentRepository
from adjustment_svc.app.decide_adjustment import approve_adjustment, reject_adjustment
from adjustment_svc.app.ports import AdjustmentUnit
from adjustment_svc.app.request_adjustment import RequestAdjustment, request_adjustment
from adjustment_svc.domain.approval import Approval, may_approve
from adjustment_svc.domain.memo_lines import RequestedLine
from adjustment_svc.entrypoints.api.deps import RequestUnit
from adjustment_svc.entrypoints.api.schemas import AdjustmentIn, AdjustmentOut, ApproveIn, RejectIn
from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import check_if_match, set_etag
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/v1/adjustments", tags=["adjustments"])
_PAGE = Page[AdjustmentOut]
Analyst = Annotated[Principal, Depends(require_roles("billing-analyst"))]
Checker = Annotated[Principal, Depends(require_roles("billing-manager", "billing-director"))]
IfMatch = Annotated[str | None, Header(description="the ETag of the request as last read")]


@router.post("", status_code=201, response_model=AdjustmentOut,
             summary="Request a credit or debit memo on lines of an issued invoice",
             responses={409: {"description": "a line's headroom (rule 18) is exceeded, or the invoice is void"},
                        422: {"description": "a line that a memo may not name, or an invalid body"}})
async def create_adjustment(body: AdjustmentIn, unit: RequestUnit, principal: Analyst,
                            response: Response) -> AdjustmentOut:
    cmd = RequestAdjustment(
        invoice_id=body.invoice_id, kind=body.kind, reason_code=body.reason_code, note=body.note,
        requested_by=principal.sub, dispute_id=body.dispute_id, attachments=tuple(body.attachments),
        root_cause=body.root_cause, source_exception_id=body.source_exception_id,
        lines=[RequestedLine(x.invoice_line_id, x.amount, x.description) for x in body.lines])
    async with unit.session.begin():
        adj = await request_adjustment(unit, cmd, datetime.now(UTC))
    response.headers["Location"] = f"/v1/adjustments/{adj.adjustment_id}"
    set_etag(response, adj.version)
    return AdjustmentOut.of(adj)


@router.get("", response_model=Page[AdjustmentOut], summary="Adjustment requests, newest first")
async def list_adjustments(
    session: Session, principal: CurrentPrincipal,
    status: Literal["pending_approval", "approved", "rejected"] | None = Query(None),
    invoice_id: str | None = Query(None), dispute_id: str | None = Query(None),
    approvable_by: Literal["me"] | None = Query(
        None, description="me: only pending requests the caller may approve now (never their own, never one they "
                          "already approved, only where a role they hold is still needed); a page may then hold "
                          "fewer than `limit` with more to come"),
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[AdjustmentOut]:
    position = decode_cursor(cursor)
    after = (datetime.fromisoformat(position["at"]), position["id"]) if position else None
    if approvable_by is not None:
        status = "pending_approval"
    async with session.begin():
        rows = await AdjustmentRepository(session).list(
            status=status, invoice_id=invoice_id, dispute_id=dispute_id, limit=limit, after=after)
    page = page_of(rows, limit, lambda a: {"at": a.requested_at.isoformat(), "id": a.adjustment_id})
    items = page.items
    if approvable_by is not None:
        me = Approval(principal.sub, principal.roles)
        items = [a for a in items if may_approve(level=a.approval_level, status=a.status, requested_by=a.requested_by,
                                                 given=[g.as_approval() for g in a.approvals],
                                                 approver=me)]
    # One validation for the page (in pydantic-core) rather than models built in Python per request and line.
    return _PAGE.model_validate({"items": [AdjustmentOut.fields_of(a) for a in items],
                                 "next_cursor": page.next_cursor})


@router.get("/{adjustment_id}", response_model=AdjustmentOut,
            summary="A request: status, approvals given and approvals still needed")
async def get_adjustment(adjustment_id: str, session: Session, _principal: CurrentPrincipal,
                         response: Response) -> AdjustmentOut:
    async with session.begin():
        adj = await AdjustmentRepository(session).get(adjustment_id)
    if adj is None:
        raise NotFound(f"no adjustment request {adjustment_id}")
    set_etag(response, adj.version)
    return AdjustmentOut.of(adj)


async def _check_version(unit: AdjustmentUnit, adjustment_id: str, if_match: str | None) -> None:
    if if_match is None:
        return
    adj = await unit.adjustments.get(adjustment_id, for_update=True)
    if adj is None:
        raise NotFound(f"no adjustment request {adjustment_id}")
    check_if_match(if_match, adj.version)


@router.post("/{adjustment_id}/approve", response_model=AdjustmentOut,
             summary="Approve; the approval completing the policy issues the memo",
             responses={403: {"description": "the requester, or a role the request does not need"},
                        409: {"description": "already decided, the same person approving twice, or the credit no "
                                             "longer fits a line's headroom (rule 18; `lines` gives every term)"}})
async def approve(adjustment_id: str, unit: RequestUnit, principal: Checker, response: Response,
                  body: ApproveIn | None = None, if_match: IfMatch = None) -> AdjustmentOut:
    async with unit.session.begin():
        await _check_version(unit, adjustment_id, if_match)
        adj = await approve_adjustment(unit, adjustment_id, approver=principal.sub, roles=principal.roles,
                                       comment=body.comment if body else None, now=datetime.now(UTC),
                                       root_cause=body.root_cause if body else None)
    set_etag(response, adj.version)
    return AdjustmentOut.of(adj)


@router.post("/{adjustment_id}/reject", response_model=AdjustmentOut, summary="Reject, with a reason",
             responses={422: {"description": "no reason given"}, 409: {"description": "already decided"}})
async def reject(adjustment_id: str, body: RejectIn, unit: RequestUnit, principal: Checker,
                 response: Response, if_match: IfMatch = None) -> AdjustmentOut:
    async with unit.session.begin():
        await _check_version(unit, adjustment_id, if_match)
        adj = await reject_adjustment(unit, adjustment_id, rejector=principal.sub, reason=body.reason,
                                      now=datetime.now(UTC), root_cause=body.root_cause)
    set_etag(response, adj.version)
    return AdjustmentOut.of(adj)
