"""The billing exception queue: list, look at, assign and resolve."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from invoice_svc.adapters.exception_repository import ExceptionFilter, ExceptionRepository
from invoice_svc.app import exceptions as use_cases
from invoice_svc.entrypoints.api.deps import RequestUnit
from invoice_svc.entrypoints.api.schemas import AssignRequest, BillingExceptionOut, ResolveRequest
from mediabill_common.auth.principal import Principal
from mediabill_common.events.catalog import EXCEPTION_KINDS
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["billing exceptions"])
_PAGE = Page[BillingExceptionOut]
Analyst = Annotated[Principal, Depends(require_roles("billing-analyst"))]
Sort = Literal["raised_at", "value_at_risk", "-value_at_risk"]
IfMatch = Annotated[str | None, Header(description="ETag from GET; 412 when the exception changed since")]


@router.get("/v1/exceptions", response_model=Page[BillingExceptionOut],
            summary="The billing exception queue, oldest first (or by revenue at risk)")
async def list_exceptions(
    session: Session, _p: CurrentPrincipal,
    status: Annotated[Literal["open", "assigned", "resolved", "unresolved"] | None,
                      Query(description="`unresolved` = open or assigned")] = None,
    kind: str | None = None, account_id: str | None = None, delivery_id: str | None = None,
    assignee: str | None = None,
    # bounded (ten years) and finite: PostgreSQL refuses an interval of `inf` or 1e300 hours (that was a 500)
    older_than_hours: Annotated[float | None, Query(ge=0, le=87_600, allow_inf_nan=False,
                                                    description="raised more than this many hours ago")] = None,
    sort: Annotated[Sort, Query(description="`raised_at` (oldest first, the default); `-value_at_risk` (the most "
                                            "revenue held back first; unpriced and informational ones last) or "
                                            "`value_at_risk`. Values compare as numbers whatever their currency")
                    ] = "raised_at",
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[BillingExceptionOut]:
    if kind is not None and kind not in EXCEPTION_KINDS:
        raise Unprocessable(f"kind {kind!r} is not a billing exception kind", errors=[
            {"field": "kind", "in": "query", "message": f"one of {', '.join(EXCEPTION_KINDS)}"}])
    filters = ExceptionFilter(status=status, kind=kind, account_id=account_id, delivery_id=delivery_id,
                              assignee=assignee, older_than_hours=older_than_hours)
    if sort != "raised_at":
        return await _by_value(ExceptionRepository(session), filters, sort == "-value_at_risk", limit, cursor)
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        try:
            after = (datetime.fromisoformat(position["at"]), str(position["id"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page") from exc
    queued = await ExceptionRepository(session).page(filters, limit=limit, after=after)
    more = len(queued) > limit
    queued = queued[:limit]
    next_cursor = encode_cursor({"at": queued[-1].raised_at.isoformat(), "id": queued[-1].exception_id}) \
        if more and queued else None
    # One validation for the page (in pydantic-core) rather than a model built in Python per exception.
    return _PAGE.model_validate({"items": [BillingExceptionOut.fields_of(x) for x in queued],
                                 "next_cursor": next_cursor})


async def _by_value(exceptions: ExceptionRepository, filters: ExceptionFilter, descending: bool, limit: int,
                    cursor: str | None) -> Page[BillingExceptionOut]:
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        try:
            after = (Decimal(str(position["v"])), str(position["id"]))
        except (KeyError, ArithmeticError, TypeError) as exc:
            raise Unprocessable("cursor is not valid for this sort; pass next_cursor from a previous page") from exc
    found = await exceptions.page_by_value(filters, descending=descending, limit=limit, after=after)
    more = len(found) > limit
    found = found[:limit]
    next_cursor = encode_cursor({"v": format(found[-1][1], "f"), "id": found[-1][0].exception_id}) \
        if more and found else None
    return _PAGE.model_validate({"items": [BillingExceptionOut.fields_of(x) for x, _ in found],
                                 "next_cursor": next_cursor})


@router.get("/v1/exceptions/{exception_id}", response_model=BillingExceptionOut, summary="One billing exception")
async def get_exception(session: Session, _p: CurrentPrincipal, exception_id: str,
                        response: Response) -> BillingExceptionOut:
    exception = await ExceptionRepository(session).get(exception_id)
    if exception is None:
        raise NotFound(f"no billing exception with id {exception_id}")
    set_etag(response, exception.version)
    return BillingExceptionOut.of(exception)


@router.post("/v1/exceptions/{exception_id}/assign", response_model=BillingExceptionOut,
             summary="Assign an unresolved exception to an analyst (billing-analyst)")
async def assign_exception(unit: RequestUnit, principal: Analyst, exception_id: str, body: AssignRequest,
                           response: Response, if_match: IfMatch = None) -> BillingExceptionOut:
    async with unit.session.begin():
        assigned = await use_cases.assign_exception(unit, exception_id, assignee=body.assignee, actor=principal.sub,
                                                    if_match=if_match)
    set_etag(response, assigned.version)
    return BillingExceptionOut.of(assigned)


@router.post("/v1/exceptions/{exception_id}/resolve", response_model=BillingExceptionOut,
             summary="Resolve an exception with the reason (billing-analyst); publishes BillingExceptionResolved")
async def resolve_exception(unit: RequestUnit, principal: Analyst, exception_id: str, body: ResolveRequest,
                            response: Response, if_match: IfMatch = None) -> BillingExceptionOut:
    async with unit.session.begin():
        resolved = await use_cases.resolve_exception(unit, exception_id, resolution=body.resolution,
                                                     actor=principal.sub, if_match=if_match,
                                                     root_cause=body.root_cause)
    set_etag(response, resolved.version)
    return BillingExceptionOut.of(resolved)
