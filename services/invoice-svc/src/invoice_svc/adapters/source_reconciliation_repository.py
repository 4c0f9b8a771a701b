"""What the reconciliations of oversight.md O1 read: two sources' deliveries of a period summed per (contract, line
item, service date), at their current revisions; and a bill run's lines (its invoices, or a shadow preview's
drafts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import SourceDay
from invoice_svc.domain.billing.run_diff import RunLine, RunLineKey

# A record counts when nothing but its source keeps it from billing: billable ones, and those held only because
# another source bills their day (shadow / source_conflict). Records parked for their configuration are left out.
_SOURCE_DAYS = text(f"""
    SELECT d.source_system, d.contract_id, d.line_item_id, d.delivery_date, d.account_id, d.product_code,
           bool_or(d.billable) AS bills, count(*) AS records,
           sum(d.impressions) AS impressions, sum(d.viewable_impressions) AS viewable_impressions,
           sum(d.clicks) AS clicks, sum(d.conversions) AS conversions,
           CASE WHEN bool_and(d.third_party_impressions IS NOT NULL) THEN sum(d.third_party_impressions) END
               AS third_party_impressions,
           CASE WHEN bool_and(d.media_cost IS NOT NULL) THEN sum(d.media_cost) END AS media_cost,
           max(d.currency) AS currency
      FROM {SCHEMA}.deliveries d
     WHERE d.delivery_date BETWEEN :start AND :end
       AND d.source_system = ANY(CAST(:sources AS text[]))
       AND d.exception_kinds <@ CAST(ARRAY['source_conflict'] AS varchar[])
       AND (CAST(:product AS text) IS NULL OR d.product_code = :product)
       AND (CAST(:contract AS text) IS NULL OR d.contract_id = :contract)
     GROUP BY d.source_system, d.contract_id, d.line_item_id, d.delivery_date, d.account_id, d.product_code
     ORDER BY d.contract_id NULLS FIRST, d.line_item_id, d.delivery_date, d.source_system""")


_RUN_LINES = text(f"""
    SELECT i.bill_to_account_id, i.contract_key, i.currency, l.kind, COALESCE(l.line_item_id, ''),
           COALESCE(l.product_code, ''), COALESCE(l.original_period, ''), l.amount
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.bill_run_id = :run_id
    UNION ALL
    SELECT s.bill_to_account_id, s.contract_key, s.currency, l ->> 'kind', COALESCE(l ->> 'line_item_id', ''),
           COALESCE(l ->> 'product_code', ''), COALESCE(l ->> 'original_period', ''), CAST(l ->> 'amount' AS numeric)
      FROM {SCHEMA}.shadow_drafts s CROSS JOIN LATERAL jsonb_array_elements(s.lines) l
     WHERE s.run_id = :run_id""")


# Service days (of products that name their billing sources) that only shadow records report: the billing source in
# effect has no record of the day.
_SHADOW_ONLY_DAYS = text(f"""
    SELECT d.product_code, d.line_item_id, d.delivery_date, min(d.contract_id) AS contract_id,
           min(d.account_id) AS account_id, string_agg(DISTINCT d.source_system, ',') AS sources
      FROM {SCHEMA}.deliveries d
     WHERE d.shadow AND d.delivery_date BETWEEN :start AND :end
       AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.deliveries b
                        WHERE b.line_item_id = d.line_item_id AND b.delivery_date = d.delivery_date AND NOT b.shadow)
     GROUP BY d.product_code, d.line_item_id, d.delivery_date
     ORDER BY d.delivery_date, d.line_item_id""")
# Open missing_billing_source_delivery exceptions whose day now has a record that is not shadow.
_SUPPLIED_DAYS = text(f"""
    SELECT e.exception_id FROM {SCHEMA}.billing_exceptions e
     WHERE e.kind = 'missing_billing_source_delivery' AND e.status <> 'resolved'
       AND EXISTS (SELECT 1 FROM {SCHEMA}.deliveries b
                    WHERE b.line_item_id = e.refs ->> 'line_item_id'
                      AND b.delivery_date = CAST(e.refs ->> 'service_date' AS date) AND NOT b.shadow)""")


class SourceReconciliationQueries:
    """The ledger read per source and service day (`SourceDays`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def source_days(self, sources: Sequence[str], start: date, end: date, *, product_code: str | None,
                          contract_id: str | None) -> list[SourceDay]:
        """Each source's records of each (contract, line item, service date) in [start, end], summed."""
        rows = await self._session.execute(_SOURCE_DAYS, {
            "sources": list(sources), "start": start, "end": end, "product": product_code,
            "contract": contract_id})
        return [SourceDay(*row) for row in rows]

    async def shadow_only_days(self, start: date, end: date) -> list[tuple[str, str, date, str | None, str, str]]:
        """(product, line item, date, contract, account, shadow sources) of each day only shadow records report."""
        return [tuple(row) for row in await self._session.execute(_SHADOW_ONLY_DAYS, {"start": start, "end": end})]

    async def supplied_missing_days(self) -> list[str]:
        """The open `missing_billing_source_delivery` exceptions whose day now has a billing-source record."""
        return list((await self._session.execute(_SUPPLIED_DAYS)).scalars().all())

    async def run_lines(self, run_id: str) -> list[RunLine]:
        """The lines a bill run wrote: its invoices' (drafts or issued), or a shadow preview's drafts."""
        rows = await self._session.execute(_RUN_LINES, {"run_id": run_id})
        return [RunLine(RunLineKey(*row[:7]), row[7]) for row in rows]
