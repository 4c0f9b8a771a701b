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

    async def run_lines(self, run_id: str) -> list[RunLine]:
        """The lines a bill run wrote: its invoices' (drafts or issued), or a shadow preview's drafts."""
        rows = await self._session.execute(_RUN_LINES, {"run_id": run_id})
        return [RunLine(RunLineKey(*row[:7]), row[7]) for row in rows]
