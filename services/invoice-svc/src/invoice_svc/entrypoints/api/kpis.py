"""GET /v1/kpis: invoices issued and billed value per period, billing accuracy, open exceptions at risk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from invoice_svc.adapters.invoice_kpi_repository import KpiQueries
from invoice_svc.app.kpis import billing_kpis
from invoice_svc.entrypoints.api.kpi_schemas import BillingKpis
from mediabill_common.web.deps import Session
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["kpis"])

_PERIOD = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"


def _period(value: str) -> str:
    """A period `YYYY-MM`; a date `YYYY-MM-DD` counts as the period it falls in."""
    return value[:7]


@router.get("/v1/kpis", response_model=BillingKpis, response_model_by_alias=True,
            summary="Billing KPIs over a range of billing periods")
async def kpis(session: Session, _p: CurrentPrincipal,
               from_: Annotated[str, Query(alias="from", pattern=_PERIOD,
                                           description="first billing period YYYY-MM (a date counts as its "
                                                       "month); invoices are counted by their service period")],
               to: Annotated[str, Query(pattern=_PERIOD, description="last billing period YYYY-MM, inclusive")]) \
        -> BillingKpis:
    """Per period and currency: invoices issued (non-void) and billed value; per currency: billing accuracy =
    1 - credited value / billed value over the range; open exceptions (now) by kind; revenue at risk (billable
    value held back by open exceptions, priced by the pricing engine, plus what could not be priced with its
    quantity) and over-delivery beyond budgets, reported apart."""
    first, last = _period(from_), _period(to)
    if first > last:
        raise Unprocessable(f"from ({from_}) is after to ({to})",
                            errors=[{"field": "from", "in": "query", "message": "must not be after to"}])
    return BillingKpis.model_validate(await billing_kpis(KpiQueries(session), first, last))
