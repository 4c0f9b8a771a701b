"""PaymentApplied (collections): apply the payment to its invoice's balance, exactly as sent, once per payment_id.

A payment that cannot be applied as sent raises its billing exception instead (app/payments.py); one in another
currency than its invoice is kept but not applied (`payment_currency_mismatch`); one that takes the balance below
zero raises `overpayment`. A payment for an invoice not issued here (yet) waits for it (app/balances.py).
"""

from __future__ import annotations

from invoice_svc.app import payments
from invoice_svc.app.balances import audit_balance_change, publish_balance, receivable_or_park, update_balance
from invoice_svc.app.exceptions import raise_exception
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.billing.balance import BalanceEntry, applies_to_balance
from invoice_svc.domain.billing.history import EntryCause
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import PaymentApplied


async def when_payment_applied_update_balance(event: Event[PaymentApplied], unit: InvoiceUnit) -> None:
    data = event.payload
    sent = payments.payment_sent(data)
    if not await payments.may_apply(unit, sent):
        return
    invoice = await receivable_or_park(unit, event, data.invoice_id)
    if invoice is None:
        return
    entry = BalanceEntry(data.payment_id, "payment", data.amount, data.currency, data.applied_at)
    applied = applies_to_balance(entry, invoice.currency)
    # A payment names no person: the system that sent it (the CloudEvents source) and its id are its actor.
    cause = EntryCause(event.envelope.source, {"payment_id": data.payment_id, "source": event.envelope.source})
    if not await payments.record_payment(unit, invoice, sent, entry, applied=applied, event_id=event.id,
                                         cause=cause):
        return
    refs = {"invoice_id": invoice.invoice_id, "payment_id": entry.entry_id}
    if not applied:
        await raise_exception(unit, "payment_currency_mismatch", invoice.bill_to_account_id, refs, entry.amount,
                              entry.currency)
        return
    before, after = await update_balance(unit, invoice, entry)
    if after.overpaid > before.overpaid:
        await raise_exception(unit, "overpayment", invoice.bill_to_account_id, refs, after.overpaid.amount,
                              invoice.currency)
    await publish_balance(unit, event, invoice, entry, after)
    await audit_balance_change(unit, invoice, entry, cause, before, after)
