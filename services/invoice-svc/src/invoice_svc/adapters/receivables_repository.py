"""The receivable entries of invoices (memos, payments, dispute events), each recorded once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.payments import Payment
from mediabill_common.db.reads import fetch_all


async def record_entry(session: AsyncSession, invoice_id: str, entry: BalanceEntry, *, applied: bool,
                       event_id: str) -> bool:
    """Record a payment, memo or dispute event; False when it was recorded before (same payment_id, memo_id or
    dispute event id): a resent event changes nothing."""
    result = await session.execute(text(f"""
        INSERT INTO {SCHEMA}.balance_entries (entry_id, kind, invoice_id, dispute_id, amount, currency, at, applied,
                                              event_id)
        VALUES (:entry_id, :kind, :invoice_id, :dispute_id, :amount, :currency, :at, :applied, :event_id)
        ON CONFLICT DO NOTHING RETURNING entry_id"""),
        {"entry_id": entry.entry_id, "kind": entry.kind, "invoice_id": invoice_id, "dispute_id": entry.dispute_id,
         "amount": entry.amount, "currency": entry.currency, "at": entry.at, "applied": applied,
         "event_id": event_id})
    return result.first() is not None


async def recorded_payment(session: AsyncSession, payment_id: str) -> Payment | None:
    """The payment recorded under `payment_id`, if any. A payment is recorded only when it names its invoice's
    bill-to account, so the invoice's is the payment's."""
    result = await session.execute(text(f"""
        SELECT e.entry_id, e.invoice_id, i.bill_to_account_id, e.amount, e.currency
          FROM {SCHEMA}.balance_entries e JOIN {SCHEMA}.invoices i ON i.invoice_id = e.invoice_id
         WHERE e.kind = 'payment' AND e.entry_id = :id"""), {"id": payment_id})
    row = result.first()
    return None if row is None else Payment(*row)


async def entries_of(session: AsyncSession, invoice_id: str) -> list[BalanceEntry]:
    rows = await fetch_all(session, f"""
        SELECT entry_id, kind, amount, currency, at, dispute_id FROM {SCHEMA}.balance_entries
         WHERE invoice_id = :id ORDER BY recorded_at, entry_id""", {"id": invoice_id})
    return [BalanceEntry(r["entry_id"], r["kind"], r["amount"], r["currency"], r["at"], r["dispute_id"])
            for r in rows]


async def parked_with_invoice(session: AsyncSession, consumer: str) -> list[str]:
    """Invoice ids that parked events wait for and that now exist (issued or void)."""
    result = await session.execute(text(f"""
        SELECT DISTINCT p.waiting_for FROM {SCHEMA}.parked_events p
          JOIN {SCHEMA}.invoices i ON i.invoice_id = p.waiting_for AND i.status IN ('issued', 'void')
         WHERE p.consumer = :c"""), {"c": consumer})
    return list(result.scalars().all())


async def parked_for(session: AsyncSession, consumer: str, invoice_ids: list[str]) -> list[str]:
    """Which of these invoices have parked events waiting."""
    if not invoice_ids:
        return []
    result = await session.execute(text(f"""
        SELECT DISTINCT waiting_for FROM {SCHEMA}.parked_events
         WHERE consumer = :c AND waiting_for = ANY(CAST(:ids AS text[]))"""), {"c": consumer, "ids": invoice_ids})
    return list(result.scalars().all())


async def invoice_for_update(session: AsyncSession, invoice_id: str) -> Any | None:
    result = await session.execute(text(f"""
        SELECT invoice_id, invoice_number, bill_to_account_id, currency, total, status FROM {SCHEMA}.invoices
         WHERE invoice_id = :id AND status IN ('issued', 'void') FOR UPDATE"""), {"id": invoice_id})
    return result.mappings().first()
