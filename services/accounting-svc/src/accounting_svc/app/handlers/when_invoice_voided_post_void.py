"""InvoiceVoided: post the exact reversal of the invoice's entry (C5)."""

from __future__ import annotations

from accounting_svc.app.handlers.waiting_for import posted_invoice_or_park
from accounting_svc.app.ports import AccountingUnit
from accounting_svc.app.posting import placement_at, post_entry
from accounting_svc.domain.postings import void_entry
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceVoided


async def when_invoice_voided_post_void(event: Event[InvoiceVoided], unit: AccountingUnit) -> None:
    voided = event.payload
    record = await posted_invoice_or_park(event, unit, voided.invoice_id)
    if record is None or record.receivable.voided:
        return
    posted = await unit.journal.get(record.entry_id)
    if posted is None:
        raise LookupError(f"the entry {record.entry_id} of invoice {voided.invoice_id} is missing")
    chart, _ = await unit.chart.current()
    period, day = await placement_at(unit, voided.voided_at, unit.ledger_zone)
    entry, after = void_entry(record.document, posted, record.receivable, chart, posting_period=period,
                              posting_date=day)
    await unit.invoices.save_receivable(voided.invoice_id, after)
    await post_entry(unit, entry)
