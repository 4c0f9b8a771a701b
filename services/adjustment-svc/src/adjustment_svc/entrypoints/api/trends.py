"""`GET /v1/trends`: adjustments by root cause, reason, kind or advertiser per month (oversight.md O4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from adjustment_svc.adapters.kpi_queries import KpiQueries
from adjustment_svc.app.trends import adjustment_trends
from mediabill_common.web.deps import Session
from mediabill_common.web.kpi_window import CONVENTION, Window
from mediabill_common.web.security import CurrentPrincipal
from mediabill_common.web.wire import wire

router = APIRouter(prefix="/v1/trends", tags=["kpis"])
By = Literal["root_cause", "reason_code", "kind", "bill_to_account_id"]


@router.get(
    "", summary="Adjustments by root cause (or reason, kind, advertiser) and month raised, largest value first",
    description="One series per group and currency, with a point per calendar month in which requests were raised "
                "(rejected ones left out): count, requested value, and rate = value / value billed that month in "
                "that currency (`denominator`: invoices issued). A dispute's credit carries the dispute's cause "
                "and is counted once. Series are ordered by value, largest first (a Pareto). `not_recorded`: "
                "requests without a root cause. The window: " + CONVENTION + ".",
)
async def trends(session: Session, _principal: CurrentPrincipal, window: Window,
                 by: Annotated[By, Query(description="what to group by")] = "root_cause",
                 bill_to_account_id: Annotated[str | None, Query(description="narrow to one bill-to account")] = None,
                 ) -> dict[str, Any]:
    async with session.begin():
        figures = await adjustment_trends(KpiQueries(session), window.first, window.last, by, bill_to_account_id)
    return wire(figures)
