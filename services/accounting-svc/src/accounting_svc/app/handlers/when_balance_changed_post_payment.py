"""InvoiceBalanceChanged: keep what invoice-svc reports of the balance (the tie-out, C10) and post the cash of a
payment it applied — Dr cash clearing by the change in `paid` and the receivable change (C4). A payment already
posted to unapplied cash after the wait is released from it."""

from __future__ import annotations

from accounting_svc.app.handlers.waiting_for import posted_invoice_or_park
from accounting_svc.app.ports import AccountingUnit
from accounting_svc.app.posting import placement_at, post_entry
from accounting_svc.domain.postings import payment_entry, unapplied_payment_entry
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceBalanceChanged


async def when_balance_changed_post_payment(event: Event[InvoiceBalanceChanged], unit: AccountingUnit) -> None:
    balance = event.payload
    record = await posted_invoice_or_park(event, unit, balance.invoice_id)
    if record is None:
        return
    await unit.invoices.record_reported_balance(balance.invoice_id, balance_due=balance.balance_due,
                                                overpaid=balance.overpaid)
    if balance.reason == "payment":
        await _settle_payment(unit, balance.caused_by, event)
    paid = balance.paid - record.receivable.paid  # `paid` is cumulative: any order of redeliveries posts it once
    if paid <= 0:
        return
    chart, _ = await unit.chart.current()
    period, day = await placement_at(unit, event.envelope.time, unit.ledger_zone)
    entry, after = payment_entry(record.document, record.receivable, paid, chart, source_id=event.id,
                                 posting_period=period, posting_date=day)
    await unit.invoices.save_receivable(balance.invoice_id, after)
    await post_entry(unit, entry)


async def _settle_payment(unit: AccountingUnit, payment_event_id: str, event: Event[InvoiceBalanceChanged]) -> None:
    payment = await unit.payments.by_event(payment_event_id, for_update=True)
    if payment is None:
        await unit.payments.record_applied_event(payment_event_id)  # the payment itself is still on its way
        return
    if payment.status == "unapplied":
        chart, _ = await unit.chart.current()
        period, day = await placement_at(unit, event.envelope.time, unit.ledger_zone)
        await post_entry(unit, unapplied_payment_entry(payment.payment_id, payment.amount,
                                                       payment.bill_to_account_id, chart, posting_period=period,
                                                       posting_date=day, released=True))
    await unit.payments.set_status(payment.payment_id, "applied")
