"""Issued invoices' receivables: the entries (memos, payments, dispute events) each recorded once, the balance kept
on the invoice row, and the balance events parked until their invoice is issued."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import Receivable
from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance
from invoice_svc.domain.billing.history import EntryCause, RecordedEntry
from invoice_svc.domain.billing.payments import Payment
from mediabill_common.events.envelope import Envelope
from mediabill_common.money import Money

# Parked balance events belong to the feature, whichever consumer received them: the bill run that issues their
# invoice applies them (adapters/unit.py parks and replays under this name).
BALANCES_PARKING = "invoice-svc.balances"

_FOR_UPDATE = text(f"""
    SELECT invoice_id, invoice_number, bill_to_account_id, currency, total, status FROM {SCHEMA}.invoices
     WHERE invoice_id = :id AND status IN ('issued', 'void') FOR UPDATE""")
_RECORD_ENTRY = text(f"""
    INSERT INTO {SCHEMA}.balance_entries (entry_id, kind, invoice_id, dispute_id, amount, currency, at, applied,
                                          event_id, actor, details)
    VALUES (:entry_id, :kind, :invoice_id, :dispute_id, :amount, :currency, :at, :applied, :event_id, :actor,
            CAST(:details AS jsonb))
    ON CONFLICT DO NOTHING RETURNING entry_id""")
_RECORDED_ENTRIES = text(f"""
    SELECT entry_id, kind, amount, currency, at, dispute_id, applied, event_id, actor, details, recorded_at
      FROM {SCHEMA}.balance_entries WHERE invoice_id = :id ORDER BY recorded_at, entry_id""")
_RECORDED_PAYMENT = text(f"""
    SELECT e.entry_id, e.invoice_id, i.bill_to_account_id, e.amount, e.currency
      FROM {SCHEMA}.balance_entries e JOIN {SCHEMA}.invoices i ON i.invoice_id = e.invoice_id
     WHERE e.kind = 'payment' AND e.entry_id = :id""")
_ENTRIES_OF = text(f"""
    SELECT entry_id, kind, amount, currency, at, dispute_id FROM {SCHEMA}.balance_entries
     WHERE invoice_id = :id ORDER BY recorded_at, entry_id""")
_SAVE_BALANCE = text(f"""
    UPDATE {SCHEMA}.invoices SET credited = :credited, debited = :debited, paid = :paid,
           balance_due = :balance_due, overpaid = :overpaid, disputed_amount = :disputed_amount,
           balance_status = :status, version = version + 1
     WHERE invoice_id = :id""")
_AWAITED = text(f"""
    SELECT DISTINCT waiting_for FROM {SCHEMA}.parked_events
     WHERE consumer = :c AND waiting_for = ANY(CAST(:ids AS text[]))""")
_AWAITED_AND_KNOWN = text(f"""
    SELECT DISTINCT p.waiting_for FROM {SCHEMA}.parked_events p
      JOIN {SCHEMA}.invoices i ON i.invoice_id = p.waiting_for AND i.status IN ('issued', 'void')
     WHERE p.consumer = :c""")
_WAITING_LONGER_THAN = text(f"""
    SELECT waiting_for, envelope FROM {SCHEMA}.parked_events
     WHERE consumer = :c AND parked_at < now() - make_interval(secs => :s) ORDER BY id""")


class ReceivablesRepository:
    """Receivables over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_update(self, invoice_id: str) -> Receivable | None:
        """The issued or void invoice, locked until the transaction ends; None when it is not (yet) issued here."""
        row = (await self._session.execute(_FOR_UPDATE, {"id": invoice_id})).first()
        if row is None:
            return None
        invoice_id, number, bill_to_account_id, currency, total, status = row
        return Receivable(invoice_id, number, bill_to_account_id, Money(total, currency), status)

    async def record_entry(self, invoice_id: str, entry: BalanceEntry, *, applied: bool, event_id: str,
                           cause: EntryCause | None = None) -> bool:
        """Record a payment, memo or dispute event with its cause; False when it was recorded before (same
        payment_id, memo_id or dispute event id): a resent event changes nothing."""
        result = await self._session.execute(_RECORD_ENTRY, {
            "entry_id": entry.entry_id, "kind": entry.kind, "invoice_id": invoice_id, "dispute_id": entry.dispute_id,
            "amount": entry.amount, "currency": entry.currency, "at": entry.at, "applied": applied,
            "event_id": event_id, "actor": cause.actor if cause is not None else None,
            "details": json.dumps(dict(cause.details), default=str) if cause is not None else None})
        return result.first() is not None

    async def recorded_entries(self, invoice_id: str) -> list[RecordedEntry]:
        """Every entry of the invoice as recorded, with its cause (for its history)."""
        rows = await self._session.execute(_RECORDED_ENTRIES, {"id": invoice_id})
        return [RecordedEntry(BalanceEntry(*row[:6]), row.applied, row.event_id,
                              EntryCause(row.actor, row.details or {}) if row.actor is not None else None,
                              row.recorded_at) for row in rows]

    async def recorded_payment(self, payment_id: str) -> Payment | None:
        """The payment recorded under `payment_id`, if any. A payment is recorded only when it names its invoice's
        bill-to account, so the invoice's is the payment's."""
        row = (await self._session.execute(_RECORDED_PAYMENT, {"id": payment_id})).first()
        return None if row is None else Payment(*row)

    async def entries_of(self, invoice_id: str) -> list[BalanceEntry]:
        return [BalanceEntry(*row) for row in await self._session.execute(_ENTRIES_OF, {"id": invoice_id})]

    async def save_balance(self, invoice_id: str, balance: InvoiceBalance) -> None:
        await self._session.execute(_SAVE_BALANCE, balance.figures() | {"id": invoice_id})

    async def awaited(self, invoice_ids: Sequence[str]) -> list[str]:
        if not invoice_ids:
            return []
        result = await self._session.execute(_AWAITED, {"c": BALANCES_PARKING, "ids": list(invoice_ids)})
        return list(result.scalars().all())

    async def awaited_and_known(self) -> list[str]:
        return list((await self._session.execute(_AWAITED_AND_KNOWN, {"c": BALANCES_PARKING})).scalars().all())

    async def waiting_longer_than(self, seconds: float) -> list[tuple[str, Envelope]]:
        rows = await self._session.execute(_WAITING_LONGER_THAN, {"c": BALANCES_PARKING, "s": seconds})
        return [(waiting_for, Envelope.model_validate(envelope)) for waiting_for, envelope in rows]
