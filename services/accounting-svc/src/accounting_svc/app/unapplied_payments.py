"""Payments invoice-svc did not apply within the configured wait post Dr cash clearing, Cr unapplied cash (C4), so
the bank side ties while someone looks at why (unknown invoice, wrong currency, wrong bill-to)."""

from __future__ import annotations

from datetime import datetime

from accounting_svc.app.ports import AccountingUnit
from accounting_svc.app.posting import placement_at, post_entry
from accounting_svc.domain.postings import unapplied_payment_entry


async def post_unapplied_payments(unit: AccountingUnit, *, received_before: datetime, limit: int = 100) -> int:
    """Post every pending payment received before `received_before` to unapplied cash; how many."""
    due = await unit.payments.past_wait(received_before, limit)
    if not due:
        return 0
    chart, _ = await unit.chart.current()
    for payment in due:
        period, day = await placement_at(unit, payment.applied_at, unit.ledger_zone)
        await post_entry(unit, unapplied_payment_entry(payment.payment_id, payment.amount, payment.bill_to_account_id,
                                                       chart, posting_period=period, posting_date=day))
        await unit.payments.set_status(payment.payment_id, "unapplied")
    return len(due)
