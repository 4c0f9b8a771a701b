"""Sums behind GET /v1/kpis."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import BilledInPeriod, OpenExceptions

_BILLED_BY_PERIOD = text(f"""
    SELECT period, currency, count(*) AS invoices, sum(total) AS billed, sum(credited) AS credited
      FROM {SCHEMA}.invoices
     WHERE status = 'issued' AND period BETWEEN :f AND :t
     GROUP BY period, currency ORDER BY period, currency""")
_OPEN_EXCEPTIONS = text(f"""
    SELECT kind, currency, unit, count(*) AS open, COALESCE(sum(amount_at_risk), 0) AS amount,
           COALESCE(sum(over_delivery_value), 0) AS over_delivery,
           count(*) FILTER (WHERE amount_at_risk IS NULL) AS unpriced,
           COALESCE(sum(quantity) FILTER (WHERE amount_at_risk IS NULL), 0) AS unpriced_quantity
      FROM {SCHEMA}.billing_exceptions WHERE status <> 'resolved'
     GROUP BY kind, currency, unit ORDER BY kind, currency, unit""")


class KpiQueries:
    """The billing KPIs' sums over one session (`BillingFigures`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def billed_by_period(self, period_from: str, period_to: str) -> list[BilledInPeriod]:
        """Per period and currency: non-void issued invoices, their billed value and what was credited on them."""
        rows = await self._session.execute(_BILLED_BY_PERIOD, {"f": period_from, "t": period_to})
        return [BilledInPeriod(*row) for row in rows]

    async def open_exceptions(self) -> list[OpenExceptions]:
        """Unresolved billing exceptions per kind, currency and unit: summed values, unpriced count and quantity."""
        return [OpenExceptions(*row) for row in await self._session.execute(_OPEN_EXCEPTIONS)]
