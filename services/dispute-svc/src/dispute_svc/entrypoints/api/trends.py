"""`GET /v1/trends`: disputes by root cause, reason, product or advertiser per month (oversight.md O4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from dispute_svc.app.trends import dispute_trends
from dispute_svc.entrypoints.api.common import wire
from dispute_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.web.kpi_window import CONVENTION, Window
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/trends", tags=["kpis"])
By = Literal["root_cause", "reason_code", "product_code", "bill_to_account_id"]


@router.get(
    "", summary="Disputes by root cause (or reason, product, advertiser) and month opened, largest value first",
    description="One series per group and currency, with a point per calendar month in which disputes were opened: "
                "count, disputed value, and rate = disputes / invoices issued that month (`denominator`). Series "
                "are ordered by value, largest first (a Pareto). `not_recorded`: disputes open, withdrawn or "
                "resolved without a root cause. The window: " + CONVENTION + ".",
)
async def trends(unit: RequestUnit, _principal: CurrentPrincipal, window: Window,
                 by: Annotated[By, Query(description="what to group by")] = "root_cause",
                 bill_to_account_id: Annotated[str | None, Query(description="narrow to one bill-to account")] = None,
                 ) -> dict[str, Any]:
    async with unit.session.begin():
        figures = await dispute_trends(unit.disputes, window.first, window.last, by, bill_to_account_id)
    return wire(figures)
