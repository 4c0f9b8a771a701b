"""Bill runs: request a preview or an issue run (202), follow its progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from invoice_svc.adapters import bill_run_repository as repo
from invoice_svc.app.bill_runs import request_bill_run
from invoice_svc.entrypoints.api.deps import InvoiceCtx
from mediabill_common.auth.principal import Principal
from mediabill_common.events.types import Period
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import Forbidden, NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["bill runs"])
Analyst = Annotated[Principal, Depends(require_roles("billing-analyst"))]


class BillRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"period": "2025-03", "mode": "preview"},
        {"period": "2025-03", "mode": "issue", "bill_to_account_ids": ["AGY-1"]}]})

    period: Period = Field(description="the billing period YYYY-MM (calendar month of delivery_date)")
    mode: Literal["preview", "issue"] = Field(description="preview builds drafts (billing-analyst); issue "
                                                          "freezes, numbers and publishes (billing-manager)")
    bill_to_account_ids: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, max_length=10_000, description="limit the run to these bill-to accounts (default: all)")


class BillRunOut(BaseModel):
    run_id: str
    period: str
    mode: str
    status: Literal["queued", "running", "completed", "failed"]
    bill_to_account_ids: list[str] | None
    requested_by: str
    requested_at: datetime
    snapshot_at: datetime | None = Field(description="rule 1: deliveries ingested up to this instant are priced")
    started_at: datetime | None
    finished_at: datetime | None
    progress: dict[str, int | None] = Field(description="invoice groups done / total")
    counts: dict[str, int] = Field(description="invoices (drafts or issued), lines, blocked (kept as drafts), "
                                               "already_issued (skipped), empty, unpriceable, exceptions_raised")
    totals: dict[str, str] = Field(description="invoice totals per currency (issued, or drafted for a preview)")
    exception_ids: list[str] = Field(description="billing exceptions this run raised (first 1000)")
    error: str | None = None

    @classmethod
    def from_row(cls, r: Any) -> BillRunOut:
        return cls(run_id=r["run_id"], period=r["period"], mode=r["mode"], status=r["status"],
                   bill_to_account_ids=r["bill_to_account_ids"], requested_by=r["requested_by"],
                   requested_at=r["requested_at"], snapshot_at=r["snapshot_at"], started_at=r["started_at"],
                   finished_at=r["finished_at"], progress={"done": r["groups_done"], "total": r["groups_total"]},
                   counts=r["counts"] or {}, totals=r["totals"] or {}, exception_ids=r["exception_ids"] or [],
                   error=r["error"])


@router.post("/v1/bill-runs", status_code=202, response_model=BillRunOut,
             summary="Request a bill run (preview: billing-analyst; issue: billing-manager); runs in the background")
async def create_bill_run(ctx: InvoiceCtx, session: Session, principal: Analyst, body: BillRunRequest) -> BillRunOut:
    if body.mode == "issue" and not principal.has_any("billing-manager"):
        raise Forbidden("An issue run needs the billing-manager role; billing-analyst may run previews.")
    async with session.begin():
        row = await request_bill_run(session, ctx, period=body.period, mode=body.mode,
                                     bill_to_account_ids=body.bill_to_account_ids, actor=principal.sub)
    ctx.deps.bill_runs.wakeup.set()
    return BillRunOut.from_row(row)


@router.get("/v1/bill-runs", response_model=Page[BillRunOut], summary="Bill runs, newest first")
async def list_bill_runs(session: Session, _p: CurrentPrincipal, period: Period | None = None,
                         status: Annotated[Literal["queued", "running", "completed", "failed"] | None,
                                           Query()] = None,
                         limit: Limit = 50, cursor: Cursor = None) -> Page[BillRunOut]:
    position = decode_cursor(cursor)
    before = None
    if position is not None:
        try:
            before = (datetime.fromisoformat(position["at"]), str(position["id"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page") from exc
    rows = await repo.list_runs(session, period=period, status=status, limit=limit, before=before)
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode_cursor({"at": rows[-1]["requested_at"].isoformat(), "id": rows[-1]["run_id"]}) \
        if more and rows else None
    return Page(items=[BillRunOut.from_row(r) for r in rows], next_cursor=next_cursor)


@router.get("/v1/bill-runs/{run_id}", response_model=BillRunOut, summary="A bill run's status and progress")
async def get_bill_run(session: Session, _p: CurrentPrincipal, run_id: str) -> BillRunOut:
    row = await repo.get_run(session, run_id)
    if row is None:
        raise NotFound(f"no bill run with id {run_id}")
    return BillRunOut.from_row(row)
