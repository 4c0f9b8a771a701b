"""Sums behind GET /v1/kpis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import BilledInPeriod, ExceptionsHealed, OpenExceptions, TouchlessInPeriod

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

# An invoice is touched by a billing exception on its contract (a self-serve one: on its advertiser or bill-to with
# no contract) for its period, whether the bill run raised it (refs.period) or ingestion did (refs.delivery_date);
# by any dispute or memo (balance entries other than payments); or by being voided. The exceptions' (period,
# contract) and (period, account) pairs are uncorrelated IN lists, which PostgreSQL hashes once; a correlated
# NOT EXISTS over the exceptions' JSON refs was re-run for every invoice, no index serving it.
_TOUCHLESS_BY_PERIOD = text(f"""
    WITH touched AS (
        SELECT COALESCE(e.refs->>'period', left(e.refs->>'delivery_date', 7)) AS period,
               COALESCE(e.refs->>'contract_id', '') AS contract_key, e.account_id
          FROM {SCHEMA}.billing_exceptions e
         WHERE COALESCE(e.refs->>'period', left(e.refs->>'delivery_date', 7)) BETWEEN :f AND :t)
    SELECT i.period, count(*) AS issued,
           count(*) FILTER (WHERE i.status = 'issued'
             AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.balance_entries b
                              WHERE b.invoice_id = i.invoice_id AND b.kind <> 'payment')
             AND (i.contract_key = ''
                  OR (i.period, i.contract_key) NOT IN (SELECT period, contract_key FROM touched
                                                         WHERE contract_key <> ''))
             AND (i.contract_key <> ''
                  OR ((i.period, i.account_id) NOT IN (SELECT period, account_id FROM touched
                                                        WHERE contract_key = '' AND account_id IS NOT NULL)
                      AND (i.period, i.bill_to_account_id) NOT IN (SELECT period, account_id FROM touched
                                                                    WHERE contract_key = ''
                                                                      AND account_id IS NOT NULL)))
           ) AS touchless
      FROM {SCHEMA}.invoices i
     WHERE i.status IN ('issued', 'void') AND i.adjustment_only = false AND i.period BETWEEN :f AND :t
     GROUP BY i.period ORDER BY i.period""")
_EXCEPTIONS_HEALED = text(f"""
    SELECT count(*) AS raised, count(*) FILTER (WHERE status = 'resolved') AS resolved,
           count(*) FILTER (WHERE status = 'resolved' AND root_cause = 'system_resolved') AS self_healed
      FROM {SCHEMA}.billing_exceptions WHERE raised_at >= :start AND raised_at < :end""")


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

    async def touchless_by_period(self, period_from: str, period_to: str) -> list[TouchlessInPeriod]:
        """Per period: invoices issued (void ones included; adjustment-only ones left out) and the untouched ones."""
        rows = await self._session.execute(_TOUCHLESS_BY_PERIOD, {"f": period_from, "t": period_to})
        return [TouchlessInPeriod(*row) for row in rows]

    async def exceptions_healed(self, start: datetime, end: datetime) -> ExceptionsHealed:
        """Billing exceptions raised in [start, end): raised, resolved, and resolved by the system itself."""
        row = (await self._session.execute(_EXCEPTIONS_HEALED, {"start": start, "end": end})).one()
        return ExceptionsHealed(*row)
