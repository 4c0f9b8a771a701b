"""What a statement of account reads: a bill-to account's issued invoices and their receivable entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.history import EntryCause, RecordedEntry
from invoice_svc.domain.billing.statement import BilledInvoice

_INVOICES = text(f"""
    SELECT invoice_id, invoice_number, issue_date, due_date, currency, total, voided_at FROM {SCHEMA}.invoices
     WHERE bill_to_account_id = :account AND status IN ('issued', 'void') AND issue_date <= :as_of
     ORDER BY issue_date, invoice_number""")
_ENTRIES = text(f"""
    SELECT invoice_id, entry_id, kind, amount, currency, at, dispute_id, applied, event_id, actor, details,
           recorded_at
      FROM {SCHEMA}.balance_entries WHERE invoice_id = ANY(CAST(:ids AS text[])) AND at < :cutoff
     ORDER BY at, recorded_at, entry_id""")


class StatementRepository:
    """app.ports.StatementReads over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def billed_invoices(self, account_id: str, as_of: date) -> list[BilledInvoice]:
        rows = await self._session.execute(_INVOICES, {"account": account_id, "as_of": as_of})
        return [BilledInvoice(*row) for row in rows]

    async def entries_before(self, invoice_ids: Sequence[str], cutoff: datetime) -> dict[str, list[RecordedEntry]]:
        if not invoice_ids:
            return {}
        found: dict[str, list[RecordedEntry]] = {}
        for row in await self._session.execute(_ENTRIES, {"ids": list(invoice_ids), "cutoff": cutoff}):
            cause = EntryCause(row.actor, row.details or {}) if row.actor is not None else None
            found.setdefault(row.invoice_id, []).append(RecordedEntry(
                BalanceEntry(row.entry_id, row.kind, row.amount, row.currency, row.at, row.dispute_id), row.applied,
                row.event_id, cause, row.recorded_at))
        return found
