"""`/v1/kpis`: what adjustments cost and how fast they are decided."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from adjustment_svc.adapters.kpi_queries import KpiQueries
from adjustment_svc.app.kpis import adjustment_kpis
from mediabill_common.web.deps import Session
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


class Turnaround(BaseModel):
    decisions: int
    median: str | None = Field(description="hours from request to final decision")
    p90: str | None


class KpisOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    value_by_reason: dict[str, dict[str, dict[str, str]]] = Field(
        description="currency -> reason code -> {credited, debited}, from memos issued in the range",
        examples=[{"USD": {"invalid_traffic": {"credited": "161.50", "debited": "0.00"}}}])
    memos_by_reason: dict[str, dict[str, int]] = Field(description="reason code -> {credit, debit} memo counts")
    approval_turnaround_hours: Turnaround
    approved: int
    auto_approved: int
    auto_approved_share: str | None = Field(description="auto-approved / approved, 0..1")
    pending_by_age: dict[str, int] = Field(description="requests pending now, by age: <1d, 1-3d, 3-7d, >7d")


@router.get("", response_model=KpisOut, response_model_by_alias=True, summary="Adjustment KPIs of a date range")
async def kpis(
    session: Session, _principal: CurrentPrincipal,
    from_: Annotated[date | None, Query(alias="from", description="first day (default: 30 days ago)")] = None,
    to: Annotated[date | None, Query(description="last day, inclusive (default: today)")] = None,
) -> KpisOut:
    now = datetime.now(UTC)
    end = to or now.date()
    start = from_ or end - timedelta(days=30)
    if start > end:
        raise Unprocessable("`from` must not be after `to`",
                            errors=[{"field": "from", "in": "query", "message": "after `to`"}])
    async with session.begin():
        figures = await adjustment_kpis(KpiQueries(session), start, end, now)
    return KpisOut.model_validate(figures)
