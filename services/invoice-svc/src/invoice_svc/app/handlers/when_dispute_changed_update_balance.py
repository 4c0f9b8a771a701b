"""DisputeOpened / Resolved / Withdrawn / Reopened (dispute-svc): hold or release the disputed amount (rule 20).

Opening holds the disputed amount; a resolution holds only the credit to come until its memo is issued; a
withdrawal releases the hold; a reopening keeps it as it was. Withdrawals and reopenings move no money: their
currency is ISO 4217's "XXX" (no currency involved). Each is recorded once (the dispute id, or the dispute and
the instant of the resolution or reopening). A dispute event for an invoice not issued here (yet) waits for it.
"""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.app.balances import (
    audit_balance_change,
    publish_balance,
    receivable_or_park,
    record_entry,
    update_balance,
)
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.history import EntryCause
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


def dispute_cause(data: DisputeEvent, source: str) -> EntryCause:
    """Who changed the dispute, as its event names them (a reopening names nobody: the system that sent it)."""
    if isinstance(data, DisputeOpened):
        return EntryCause(data.opened_by, {"dispute_id": data.dispute_id, "reason_code": data.reason_code,
                                           "opened_by": data.opened_by})
    if isinstance(data, DisputeResolved):
        return EntryCause(data.resolved_by, {"dispute_id": data.dispute_id, "outcome": data.outcome,
                                             "resolved_by": data.resolved_by,
                                             "resolution_note": data.resolution_note})
    if isinstance(data, DisputeWithdrawn):
        return EntryCause(data.withdrawn_by, {"dispute_id": data.dispute_id, "withdrawn_by": data.withdrawn_by})
    return EntryCause(source, {"dispute_id": data.dispute_id, "reason": data.reason, "source": source})


async def when_dispute_changed_update_balance(event: Event[DisputeEvent], unit: InvoiceUnit) -> None:
    invoice = await receivable_or_park(unit, event, event.payload.invoice_id)
    if invoice is None:
        return
    entry = dispute_entry(event.payload)
    cause = dispute_cause(event.payload, event.envelope.source)
    if await record_entry(unit, event, invoice, entry, cause):
        before, after = await update_balance(unit, invoice, entry)
        await publish_balance(unit, event, invoice, entry, after)
        await audit_balance_change(unit, invoice, entry, cause, before, after)
