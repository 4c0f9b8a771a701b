"""`/v1/kpis`: what adjustments cost and how fast they are decided."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from adjustment_svc.adapters.kpi_queries import KpiQueries
from adjustment_svc.app.kpis import adjustment_kpis
from mediabill_common.web.deps import Session
from mediabill_common.web.kpi_window import CONVENTION, Window
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


@router.get("", response_model=KpisOut, response_model_by_alias=True, summary="Adjustment KPIs of a date range",
            description=f"Memos issued and requests decided in the window. The window: {CONVENTION}.")
async def kpis(session: Session, _principal: CurrentPrincipal, window: Window) -> KpisOut:
    async with session.begin():
        figures = await adjustment_kpis(KpiQueries(session), window.first, window.last, datetime.now(UTC))
    return KpisOut.model_validate(figures)
