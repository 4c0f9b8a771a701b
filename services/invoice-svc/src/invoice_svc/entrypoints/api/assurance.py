"""Assurance runs (oversight.md O3): request one over periods (202), follow its progress; a worker executes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from invoice_svc.adapters.assurance_repository import AssuranceRepository
from invoice_svc.app.assurance_runs import request_assurance_run
from invoice_svc.app.assurance_stored import AssuranceRun
from invoice_svc.domain.assurance.runs import MAX_PERIODS
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.auth.principal import Principal
from mediabill_common.events.types import Period
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["assurance"])
Analyst = Annotated[Principal, Depends(require_roles("billing-analyst"))]
RunStatus = Literal["queued", "running", "completed", "failed"]


class AssuranceRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"periods": ["2026-10", "2026-11"]}]})

    periods: list[Period] = Field(min_length=1, max_length=MAX_PERIODS,
                                  description="the billing periods (YYYY-MM) whose issued, non-void invoices are "
                                              "re-priced; none that has not begun (422)")


class AssuranceRunOut(BaseModel):
    run_id: str
    periods: list[str]
    status: RunStatus
    requested_by: str = Field(description="who asked: a person, or `assurance-schedule` for the daily run")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: dict[str, int | None] = Field(description="invoices checked / total")
    invoices_checked: int
    matched: int = Field(description="invoices whose re-pricing equals what was issued for them")
    drifted: int = Field(description="invoices with drift: each has one open `invoice_drift` exception")
    unverifiable: int = Field(description="invoices that could not be re-priced (e.g. a party no longer configured)")
    pending_adjustments: int = Field(description="invoices with ledger revisions that arrived after issue and are "
                                                 "not billed yet (rule 13 bills them with the next run): not drift")
    value_drifted: dict[str, dict[str, str]] = Field(
        description="per currency: `drifted` (credit and debit parts added, never netted), `credit`, `debit`, "
                    "`pending_adjustment`")
    counts: dict[str, int] = Field(description="every count: checked, matched, drifted, unverifiable, "
                                               "pending_adjustments, without_recorded_inputs (issued before pricing "
                                               "inputs were recorded: changed inputs cannot be named), "
                                               "exceptions_raised, exceptions_updated, exceptions_resolved, "
                                               "already_handled (a drift an analyst resolved, not raised again)")
    exception_ids: list[str] = Field(description="the invoice_drift exceptions this run raised or refreshed "
                                                 "(first 1000)")
    error: str | None = None

    @classmethod
    def of(cls, run: AssuranceRun) -> AssuranceRunOut:
        c = run.counts
        return cls(run_id=run.run_id, periods=run.periods, status=run.status,  # type: ignore[arg-type]
                   requested_by=run.requested_by, requested_at=run.requested_at, started_at=run.started_at,
                   finished_at=run.finished_at,
                   progress={"done": c.get("checked", 0), "total": run.invoices_total},
                   invoices_checked=c.get("checked", 0), matched=c.get("matched", 0), drifted=c.get("drifted", 0),
                   unverifiable=c.get("unverifiable", 0), pending_adjustments=c.get("pending_adjustments", 0),
                   value_drifted=run.totals, counts=run.counts, exception_ids=run.exception_ids, error=run.error)


@router.post("/v1/assurance-runs", status_code=202, response_model=AssuranceRunOut,
             summary="Request an assurance run over periods (billing-analyst); a worker re-prices every issued "
                     "invoice of them")
async def create_assurance_run(unit: RequestUnit, principal: Analyst, body: AssuranceRunRequest) -> AssuranceRunOut:
    async with unit.session.begin():
        run = await request_assurance_run(unit, periods=body.periods, actor=principal.sub,
                                          today=datetime.now(UTC).date())
    return AssuranceRunOut.of(run)


@router.get("/v1/assurance-runs", response_model=Page[AssuranceRunOut], summary="Assurance runs, newest first")
async def list_assurance_runs(session: Session, _p: CurrentPrincipal,
                              status: Annotated[RunStatus | None, Query()] = None,
                              limit: Limit = 50, cursor: Cursor = None) -> Page[AssuranceRunOut]:
    position = decode_cursor(cursor)
    before = None
    if position is not None:
        try:
            before = (datetime.fromisoformat(position["at"]), str(position["id"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page") from exc
    runs = await AssuranceRepository(session).page(status=status, limit=limit, before=before)
    more, runs = len(runs) > limit, runs[:limit]
    next_cursor = encode_cursor({"at": runs[-1].requested_at.isoformat(), "id": runs[-1].run_id}) \
        if more and runs else None
    return Page(items=[AssuranceRunOut.of(r) for r in runs], next_cursor=next_cursor)


@router.get("/v1/assurance-runs/{run_id}", response_model=AssuranceRunOut,
            summary="An assurance run's status, progress and findings")
async def get_assurance_run(session: Session, _p: CurrentPrincipal, run_id: str) -> AssuranceRunOut:
    run = await AssuranceRepository(session).get(run_id)
    if run is None:
        raise NotFound(f"no assurance run with id {run_id}")
    return AssuranceRunOut.of(run)
