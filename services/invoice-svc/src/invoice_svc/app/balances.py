"""Receivables for collections (rules 17 and 20): memos, payments and dispute events move an invoice's balance.

Each event is recorded once (payment_id, memo_id, dispute id / resolution) and the balance is recomputed from all
of an invoice's entries with the pure `balance_of`, so the final balance does not depend on arrival order. Every
applied change publishes `InvoiceBalanceChanged` through the outbox in the same transaction. An event about an
invoice not issued here (yet) is parked and applied when the invoice appears; one still unknown after the
configured wait raises `unknown_invoice`. A payment that cannot be applied as sent raises its exception instead
(app/payments.py).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters import invoice_balance_repository as entries_repo
from invoice_svc.adapters import invoice_repository as invoices_repo
from invoice_svc.app import payments
from invoice_svc.app.exceptions import raise_exception
from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance, applies_to_balance, balance_of
from mediabill_common.consumer.decode import Received
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.events.catalog import EVENT_TYPES
from mediabill_common.events.envelope import Envelope
from mediabill_common.outbox.writer import OutboxWriter

log = logging.getLogger(__name__)

# Parked balance events belong to this feature, whichever consumer group received them.
BALANCES_CONSUMER = "invoice-svc.balances"

_REASONS = {"payment": "payment", "credit_memo": "credit_memo", "debit_memo": "debit_memo",
            "dispute_opened": "dispute_opened", "dispute_resolved": "dispute_resolved",
            "dispute_withdrawn": "dispute_withdrawn"}


def entry_from_event(event_type: str, data: Any) -> BalanceEntry:
    """The receivable entry an inbound event records (its id makes resends no-ops).

    Withdrawals and reopenings move no money: their currency is ISO 4217's "XXX" (no currency involved).
    """
    if event_type == "PaymentApplied":
        return BalanceEntry(data.payment_id, "payment", data.amount, data.currency, data.applied_at)
    if event_type in ("CreditMemoIssued", "DebitMemoIssued"):
        kind = "credit_memo" if event_type == "CreditMemoIssued" else "debit_memo"
        return BalanceEntry(data.memo_id, kind, data.total, data.currency, data.issued_at, data.dispute_id)
    if event_type == "DisputeOpened":
        return BalanceEntry(data.dispute_id, "dispute_opened", data.amount, data.currency, data.opened_at,
                            data.dispute_id)
    if event_type == "DisputeResolved":
        return BalanceEntry(f"{data.dispute_id}@{data.resolved_at.isoformat()}", "dispute_resolved",
                            data.credit_amount, data.currency, data.resolved_at, data.dispute_id)
    if event_type == "DisputeWithdrawn":
        return BalanceEntry(data.dispute_id, "dispute_withdrawn", Decimal(0), "XXX", data.withdrawn_at,
                            data.dispute_id)
    if event_type == "DisputeReopened":
        return BalanceEntry(f"{data.dispute_id}@{data.reopened_at.isoformat()}", "dispute_reopened", Decimal(0),
                            "XXX", data.reopened_at, data.dispute_id)
    raise ValueError(f"{event_type} does not move a receivable")


def balance_event(invoice: Any, balance: InvoiceBalance, reason: str, caused_by: str) -> dict[str, Any]:
    """`InvoiceBalanceChanged.data` for an invoice row and its balance."""
    figures = balance.figures()
    return {"invoice_id": invoice["invoice_id"], "invoice_number": invoice["invoice_number"],
            "bill_to_account_id": invoice["bill_to_account_id"], "currency": invoice["currency"],
            **figures, "reason": reason, "caused_by": caused_by}


class BalanceBook:
    """The handlers of memo, payment and dispute events (inside the runner's transaction; never commit)."""

    def __init__(self, outbox: OutboxWriter, parking: ParkingLot, *, unknown_after_s: float) -> None:
        self._outbox = outbox
        self._parking = parking
        self._unknown_after_s = unknown_after_s

    async def when_receivable_event_update_balance(self, session: AsyncSession, received: Received) -> None:
        await self.apply(session, received.envelope, received.payload)

    async def apply(self, session: AsyncSession, envelope: Envelope, data: Any) -> None:
        if envelope.type == "PaymentApplied" and not await payments.may_apply(session, self._outbox, data):
            return
        invoice = await entries_repo.invoice_for_update(session, data.invoice_id)
        if invoice is None:
            await self._parking.park(session, envelope, waiting_for=data.invoice_id)
            return
        entry = entry_from_event(envelope.type, data)
        applied = applies_to_balance(entry, invoice["currency"])
        if not await self._record(session, invoice, data, entry, applied=applied, event_id=envelope.id):
            return
        if not applied:
            await raise_exception(session, self._outbox, "payment_currency_mismatch", invoice["bill_to_account_id"],
                                  {"invoice_id": invoice["invoice_id"], "payment_id": entry.entry_id},
                                  entry.amount, entry.currency)
            return
        entries = await entries_repo.entries_of(session, invoice["invoice_id"])
        voided = invoice["status"] == "void"
        before = balance_of(invoice["total"], invoice["currency"], [e for e in entries if e != entry], voided=voided)
        after = balance_of(invoice["total"], invoice["currency"], entries, voided=voided)
        await invoices_repo.save_balance(session, invoice["invoice_id"], after.figures())
        if entry.kind == "payment" and after.overpaid > before.overpaid:
            await raise_exception(session, self._outbox, "overpayment", invoice["bill_to_account_id"],
                                  {"invoice_id": invoice["invoice_id"], "payment_id": entry.entry_id},
                                  after.overpaid, invoice["currency"])
        reason = _REASONS.get(entry.kind)
        if reason is not None:  # a reopening keeps the hold as it is: nothing changes for collections
            await self._outbox.publish(session, "InvoiceBalanceChanged", key=invoice["bill_to_account_id"],
                                       subject=invoice["invoice_id"], causationid=envelope.id,
                                       data=balance_event(invoice, after, reason, envelope.id))

    async def _record(self, session: AsyncSession, invoice: Any, data: Any, entry: BalanceEntry, *, applied: bool,
                      event_id: str) -> bool:
        """Record the entry once; True when it is new. A payment only for its invoice's bill-to (app/payments.py)."""
        if entry.kind == "payment":
            return await payments.record_payment(session, self._outbox, invoice, data, entry, applied=applied,
                                                 event_id=event_id)
        return await entries_repo.record_entry(session, invoice["invoice_id"], entry, applied=applied,
                                               event_id=event_id)

    async def release(self, session: AsyncSession, invoice_ids: list[str]) -> int:
        """Apply the events parked for these invoices (now issued), in arrival order."""
        released = 0
        for invoice_id in await entries_repo.parked_for(session, BALANCES_CONSUMER, invoice_ids):
            for envelope in await self._parking.release(session, invoice_id):
                data = EVENT_TYPES[envelope.type].model.model_validate(envelope.data)
                await self.apply(session, envelope, data)
                released += 1
        return released

    async def sweep(self, session: AsyncSession) -> int:
        """Release what waits for invoices that exist now (one may have been committed just after the event was
        parked), and raise `unknown_invoice` for events still waiting after the configured time."""
        released = await self.release(session, await entries_repo.parked_with_invoice(session, BALANCES_CONSUMER))
        for invoice_id, envelope in await self._parking.waiting(session, older_than_s=self._unknown_after_s):
            data = envelope.data or {}
            await raise_exception(
                session, self._outbox, "unknown_invoice", data.get("bill_to_account_id"),
                {"invoice_id": invoice_id, "event_type": envelope.type, "event_id": envelope.id},
                _amount(data), data.get("currency"))
        return released


def _amount(data: dict) -> Decimal | None:
    value = data.get("amount") or data.get("total")
    return None if value is None else Decimal(str(value))
