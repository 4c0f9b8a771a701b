"""Receivables for collections (rules 17 and 20): memos, payments and dispute events move an invoice's balance.

Each event is recorded once (payment_id, memo_id, dispute id / resolution) and the balance is recomputed from all
of an invoice's entries with the pure `balance_of`, so the final balance does not depend on arrival order. Every
applied change publishes `InvoiceBalanceChanged` through the outbox in the same transaction. An event about an
invoice not issued here (yet) is parked and applied when the invoice appears; one still unknown after the
configured wait raises `unknown_invoice`. A payment that cannot be applied as sent raises its exception instead
(app/payments.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from invoice_svc.app.exceptions import raise_exception
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.app.stored import Receivable
from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance, balance_of
from invoice_svc.domain.billing.history import EntryCause
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import Payload

_REASONS = {"payment": "payment", "credit_memo": "credit_memo", "debit_memo": "debit_memo",
            "dispute_opened": "dispute_opened", "dispute_resolved": "dispute_resolved",
            "dispute_withdrawn": "dispute_withdrawn"}

def balance_event(invoice: Receivable, balance: InvoiceBalance, reason: str, caused_by: str) -> dict[str, Any]:
    """`InvoiceBalanceChanged.data` for an invoice and its balance."""
    return {"invoice_id": invoice.invoice_id, "invoice_number": invoice.invoice_number,
            "bill_to_account_id": invoice.bill_to_account_id, "currency": invoice.currency,
            **balance.figures(), "reason": reason, "caused_by": caused_by}


async def receivable_or_park(unit: InvoiceUnit, event: Event[Payload], invoice_id: str) -> Receivable | None:
    """The issued invoice the event is about, locked; None when it is not issued here (yet): the event is parked
    until it is (see `replay_for_issued`)."""
    invoice = await unit.receivables.for_update(invoice_id)
    if invoice is None:
        await unit.parking.park(event, waiting_for=invoice_id)
    return invoice


async def record_entry(unit: InvoiceUnit, event: Event[Payload], invoice: Receivable, entry: BalanceEntry,
                       cause: EntryCause) -> bool:
    """Record a memo's or dispute event's entry once, with who caused it; True when it is new."""
    return await unit.receivables.record_entry(invoice.invoice_id, entry, applied=True, event_id=event.id,
                                               cause=cause)


async def audit_balance_change(unit: InvoiceUnit, invoice: Receivable, entry: BalanceEntry, cause: EntryCause,
                               before: InvoiceBalance, after: InvoiceBalance) -> None:
    """The change in the invoice's audit trail (GET /v1/audit?entity_id=), under the actor its event named."""
    await unit.record_audit(actor=cause.actor, action=f"balance.{entry.kind}", entity_type="invoice",
                            entity_id=invoice.invoice_id, reason=None,
                            before={"balance_due": format(before.balance_due, "f"), "status": before.status},
                            after={"balance_due": format(after.balance_due, "f"), "status": after.status,
                                   "entry_id": entry.entry_id, **cause.details})


async def update_balance(unit: InvoiceUnit, invoice: Receivable, entry: BalanceEntry) \
        -> tuple[InvoiceBalance, InvoiceBalance]:
    """Recompute the balance from all the invoice's entries (the new one included) and keep it on the invoice;
    (before, after) the entry."""
    entries = await unit.receivables.entries_of(invoice.invoice_id)
    voided = invoice.status == "void"
    before = balance_of(invoice.total, [e for e in entries if e != entry], voided=voided)
    after = balance_of(invoice.total, entries, voided=voided)
    await unit.receivables.save_balance(invoice.invoice_id, after)
    return before, after


async def publish_balance(unit: InvoiceUnit, event: Event[Payload], invoice: Receivable, entry: BalanceEntry,
                          balance: InvoiceBalance) -> None:
    """`InvoiceBalanceChanged` for collections (a reopening keeps the hold as it is: nothing changes for them)."""
    reason = _REASONS.get(entry.kind)
    if reason is not None:
        await unit.publish("InvoiceBalanceChanged", key=invoice.bill_to_account_id,
                                  subject=invoice.invoice_id, causationid=event.id,
                                  data=balance_event(invoice, balance, reason, event.id))


async def replay_for_issued(unit: InvoiceUnit, invoice_ids: Sequence[str]) -> int:
    """Apply the balance events parked for these invoices (now issued), in arrival order; how many."""
    replayed = 0
    for invoice_id in await unit.receivables.awaited(invoice_ids):
        replayed += await unit.parking.replay(invoice_id)
    return replayed


async def sweep_parked(unit: InvoiceUnit, *, unknown_after_s: float) -> int:
    """Apply what waits for invoices that exist now (one may have been committed just after the event was
    parked), and raise `unknown_invoice` for events still waiting after `unknown_after_s`; how many were applied."""
    replayed = await replay_for_issued(unit, await unit.receivables.awaited_and_known())
    for invoice_id, envelope in await unit.receivables.waiting_longer_than(unknown_after_s):
        data = envelope.data or {}
        await raise_exception(
            unit, "unknown_invoice", data.get("bill_to_account_id"),
            {"invoice_id": invoice_id, "event_type": envelope.type, "event_id": envelope.id},
            _amount(data), data.get("currency"))
    return replayed


def _amount(data: dict[str, Any]) -> Decimal | None:
    value = data.get("amount") or data.get("total")
    return None if value is None else Decimal(str(value))
