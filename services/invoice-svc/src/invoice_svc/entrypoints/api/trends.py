"""`GET /v1/trends`: billing exceptions by root cause, kind, product or account per month (oversight.md O4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from invoice_svc.adapters.trend_queries import TrendQueries
from invoice_svc.app.trends import exception_trends
from mediabill_common.web.deps import Session
from mediabill_common.web.kpi_window import CONVENTION, Window
from mediabill_common.web.security import CurrentPrincipal
from mediabill_common.web.wire import wire

router = APIRouter(prefix="/v1/trends", tags=["kpis"])
By = Literal["root_cause", "kind", "product_code", "bill_to_account_id"]


@router.get(
    "", summary="Billing exceptions by root cause (or kind, product, account) and month raised, largest value first",
    description="One series per group and currency, with a point per calendar month in which exceptions were "
                "raised: count, value held back (value_at_risk; `XXX` when the exception names no currency), and "
                "rate = exceptions per 1,000 deliveries ingested that month (`denominator`). Series are ordered by "
                "value, largest first (a Pareto). `not_recorded`: unresolved, or resolved without a root cause; "
                "`system_resolved`: resolved by the system when its cause went away. `bill_to_account_id` groups "
                "and narrows by the exception's account. The window: " + CONVENTION + ".",
)
async def trends(session: Session, _principal: CurrentPrincipal, window: Window,
                 by: Annotated[By, Query(description="what to group by")] = "root_cause",
                 bill_to_account_id: Annotated[str | None, Query(description="narrow to one account")] = None,
                 ) -> dict[str, Any]:
    async with session.begin():
        figures = await exception_trends(TrendQueries(session), window.first, window.last, by, bill_to_account_id)
    return wire(figures)
