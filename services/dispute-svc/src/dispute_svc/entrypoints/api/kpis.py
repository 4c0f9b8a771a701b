"""`GET /v1/kpis`: dispute rate, turnaround, SLA adherence, ageing and disputed value."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from dispute_svc.app.kpis import dispute_kpis
from dispute_svc.entrypoints.api.common import wire
from dispute_svc.entrypoints.api.deps import DisputeCtx, RequestUnit
from mediabill_common.web.kpi_window import CONVENTION, Window
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


@router.get(
    "", summary="Dispute KPIs for a window of dates",
    description="dispute_rate: invoices issued in the window that have a dispute / invoices issued in the window. "
                "turnaround (hours): median and p90 (nearest rank) of opened -> resolved for disputes resolved in "
                "the window. resolved_within_sla: share of those resolved by their resolution due time. "
                "open_by_age_bucket: disputes open or in review now, by age. disputed value by reason code and by "
                "product, per currency, for disputes opened in the window. The window: " + CONVENTION + ".",
)
async def kpis(ctx: DisputeCtx, unit: RequestUnit, _principal: CurrentPrincipal, window: Window,
               bill_to_account_id: Annotated[str | None, Query(description="narrow to one bill-to account")] = None,
               ) -> dict[str, Any]:
    async with unit.session.begin():
        figures = await dispute_kpis(unit.disputes, window.first, window.last, ctx.deps.clock.now(),
                                     bill_to_account_id)
    return wire(figures)
