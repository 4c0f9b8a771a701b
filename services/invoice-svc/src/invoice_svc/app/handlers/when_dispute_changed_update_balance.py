"""DisputeOpened / Resolved / Withdrawn / Reopened (dispute-svc): hold or release the disputed amount (rule 20).

Opening holds the disputed amount; a resolution holds only the credit to come until its memo is issued; a
withdrawal releases the hold; a reopening keeps it as it was. Withdrawals and reopenings move no money: their
currency is ISO 4217's "XXX" (no currency involved). Each is recorded once (the dispute id, or the dispute and
the instant of the resolution or reopening). A dispute event for an invoice not issued here (yet) waits for it.
"""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.app.balances import publish_balance, receivable_or_park, record_entry, update_balance
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.billing.balance import BalanceEntry
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeOpened, DisputeReopened, DisputeResolved, DisputeWithdrawn

DisputeEvent = DisputeOpened | DisputeResolved | DisputeWithdrawn | DisputeReopened


def dispute_entry(data: DisputeEvent) -> BalanceEntry:
    """The receivable entry a dispute event records (its id makes resends no-ops)."""
    if isinstance(data, DisputeOpened):
        return BalanceEntry(data.dispute_id, "dispute_opened", data.amount, data.currency, data.opened_at,
                            data.dispute_id)
    if isinstance(data, DisputeResolved):
        return BalanceEntry(f"{data.dispute_id}@{data.resolved_at.isoformat()}", "dispute_resolved",
                            data.credit_amount, data.currency, data.resolved_at, data.dispute_id)
    if isinstance(data, DisputeWithdrawn):
        return BalanceEntry(data.dispute_id, "dispute_withdrawn", Decimal(0), "XXX", data.withdrawn_at,
                            data.dispute_id)
    return BalanceEntry(f"{data.dispute_id}@{data.reopened_at.isoformat()}", "dispute_reopened", Decimal(0), "XXX",
                        data.reopened_at, data.dispute_id)


async def when_dispute_changed_update_balance(event: Event[DisputeEvent], unit: InvoiceUnit) -> None:
    invoice = await receivable_or_park(unit, event, event.payload.invoice_id)
    if invoice is None:
        return
    entry = dispute_entry(event.payload)
    if await record_entry(unit, event, invoice, entry):
        _, after = await update_balance(unit, invoice, entry)
        await publish_balance(unit, event, invoice, entry, after)
