"""GET /v1/kpis: invoices issued and billed value per period, billing accuracy, open exceptions at risk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter

from invoice_svc.adapters.invoice_kpi_repository import KpiQueries
from invoice_svc.app.kpis import billing_kpis
from invoice_svc.entrypoints.api.kpi_schemas import BillingKpis
from mediabill_common.web.deps import Session
from mediabill_common.web.kpi_window import CONVENTION, Window
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["kpis"])


@router.get("/v1/kpis", response_model=BillingKpis, response_model_by_alias=True,
            summary="Billing KPIs over a window of dates",
            description=f"Invoices are counted by their service period: every billing period (calendar month) the "
                        f"window touches. The window: {CONVENTION}.")
async def kpis(session: Session, _p: CurrentPrincipal, window: Window) -> BillingKpis:
    """Per period and currency: invoices issued (non-void) and billed value; per currency: billing accuracy =
    1 - credited value / billed value over the range; open exceptions (now) by kind; revenue at risk (billable
    value held back by open exceptions, priced by the pricing engine, plus what could not be priced with its
    quantity) and over-delivery beyond budgets, reported apart; automation: the touchless share of the periods'
    invoices and the self-healed share of the billing exceptions raised within the window's dates."""
    start = datetime.combine(window.first, time.min, tzinfo=UTC)
    end = datetime.combine(window.last + timedelta(days=1), time.min, tzinfo=UTC)
    figures = await billing_kpis(KpiQueries(session), window.first_period, window.last_period, start, end)
    return BillingKpis.model_validate(figures | {"from": window.first.isoformat(), "to": window.last.isoformat(),
                                                 "first_period": window.first_period,
                                                 "last_period": window.last_period})
