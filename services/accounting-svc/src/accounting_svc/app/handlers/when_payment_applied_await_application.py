"""PaymentApplied: keep the payment until invoice-svc applies it (its InvoiceBalanceChanged posts the cash) or the
configured wait passes and it posts to unapplied cash (C4, app/unapplied_payments.py)."""

from __future__ import annotations

from accounting_svc.app.ports import AccountingUnit, PendingPayment
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import PaymentApplied
from mediabill_common.money import Money


async def when_payment_applied_await_application(event: Event[PaymentApplied], unit: AccountingUnit) -> None:
    payment = event.payload
    applied = await unit.payments.was_applied(event.id)
    await unit.payments.add(PendingPayment(
        payment_id=payment.payment_id, event_id=event.id, invoice_id=payment.invoice_id,
        bill_to_account_id=payment.bill_to_account_id, amount=Money(payment.amount, payment.currency),
        applied_at=payment.applied_at, status="applied" if applied else "pending"))
