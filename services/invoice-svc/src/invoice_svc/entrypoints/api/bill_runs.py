"""Bill runs: request a preview or an issue run (202), follow its progress."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from invoice_svc.adapters.bill_run_repository import BillRunRepository
from invoice_svc.app.bill_runs import request_bill_run
from invoice_svc.app.stored import BillRun
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.auth.principal import Principal
from mediabill_common.events.types import Period
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal, RoleRequirement, require_roles

router = APIRouter(tags=["bill runs"])
# Who may request which run (api.md); the 403's text is built from the requirement that refused.
RUN_NEEDS = {"preview": RoleRequirement("run a preview", ("billing-analyst",)),
             "issue": RoleRequirement("issue a bill run", ("billing-manager",))}
Requester = Annotated[Principal, Depends(require_roles(*RUN_NEEDS.values()))]


class BillRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"period": "2025-03", "mode": "preview"},
        {"period": "2025-03", "mode": "issue", "bill_to_account_ids": ["AGY-1"]},
        {"period": "2025-03", "mode": "preview", "source_system": "oms"}]})

    period: Period = Field(description="the billing period YYYY-MM (calendar month of delivery_date); not a month "
                                       "that has not begun (422)")
    mode: Literal["preview", "issue"] = Field(description="preview builds drafts (billing-analyst); issue "
                                                          "freezes, numbers and publishes (billing-manager)")
    bill_to_account_ids: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, max_length=10_000,
        description="limit the run to these bill-to accounts (default: all); each must be a known account (422 "
                    "naming the unknown ones)")
    source_system: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="a shadow preview (oversight.md O1): price the period as if this delivery source "
                                  "billed the products it reports; its drafts live only under the run id (never "
                                  "listed with invoices, never issued, never in KPIs). Preview only (422 with issue)")


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
    source_system: str | None = Field(default=None, description="set on a shadow preview: the delivery source it "
                                                                "was priced as if billing")

    @classmethod
    def of(cls, run: BillRun) -> BillRunOut:
        return cls(run_id=run.run_id, period=run.period, mode=run.mode, status=run.status,
                   bill_to_account_ids=run.bill_to_account_ids, requested_by=run.requested_by,
                   requested_at=run.requested_at, snapshot_at=run.snapshot_at, started_at=run.started_at,
                   finished_at=run.finished_at, progress={"done": run.groups_done, "total": run.groups_total},
                   counts=run.counts, totals=run.totals, exception_ids=run.exception_ids, error=run.error,
                   source_system=run.source_system)


@router.post("/v1/bill-runs", status_code=202, response_model=BillRunOut,
             summary="Request a bill run (preview: billing-analyst; issue: billing-manager); a worker executes it")
async def create_bill_run(unit: RequestUnit, principal: Requester,
                          body: BillRunRequest) -> BillRunOut:
    RUN_NEEDS[body.mode].check(principal)
    async with unit.session.begin():
        run = await request_bill_run(unit, period=body.period, mode=body.mode,
                                     bill_to_account_ids=body.bill_to_account_ids, actor=principal.sub,
                                     today=datetime.now(UTC).date(), source_system=body.source_system)
    return BillRunOut.of(run)


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
    runs = await BillRunRepository(session).page(period=period, status=status, limit=limit, before=before)
    more, runs = len(runs) > limit, runs[:limit]
    next_cursor = encode_cursor({"at": runs[-1].requested_at.isoformat(), "id": runs[-1].run_id}) \
        if more and runs else None
    return Page(items=[BillRunOut.of(r) for r in runs], next_cursor=next_cursor)


@router.get("/v1/bill-runs/{run_id}", response_model=BillRunOut, summary="A bill run's status and progress")
async def get_bill_run(session: Session, _p: CurrentPrincipal, run_id: str) -> BillRunOut:
    run = await BillRunRepository(session).get(run_id)
    if run is None:
        raise NotFound(f"no bill run with id {run_id}")
    return BillRunOut.of(run)
