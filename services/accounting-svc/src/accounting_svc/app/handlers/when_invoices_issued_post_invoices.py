"""InvoiceIssued, a consumer batch at a time: post each invoice's revenue side and receivable (C2, C4), then what
was waiting for it.

A bill run issues thousands of invoices at once, so the batch shares its reads and writes: one read of the
invoices already posted, the chart, the closed periods and the lines' products; one write of the invoices, of the
entries, of their lines and of their JournalEntryPosted; one release of what waited for them. A consumer that
isolates a poison event calls it with that one event.
"""

from __future__ import annotations

from accounting_svc.app.documents import invoice_document
from accounting_svc.app.handlers.waiting_for import invoice_key
from accounting_svc.app.ports import AccountingUnit, InvoiceRecord
from accounting_svc.app.posting import placement, post_entries
from accounting_svc.domain.journal import JournalEntry
from accounting_svc.domain.postings import invoice_entry
from accounting_svc.domain.receivable import Receivable
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued


async def when_invoices_issued_post_invoices(events: list[Event[InvoiceIssued]], unit: AccountingUnit) -> None:
    first: dict[str, InvoiceIssued] = {}
    for event in events:  # the same invoice published again under another event id posts once
        first.setdefault(event.payload.invoice_id, event.payload)
    posted = await unit.invoices.known(first)
    issued = [payload for invoice_id, payload in first.items() if invoice_id not in posted]
    if not issued:
        return
    chart, _ = await unit.chart.current()
    channels = await unit.products.channels({line.product_code for payload in issued for line in payload.lines
                                             if line.product_code})
    records: list[InvoiceRecord] = []
    entries: list[JournalEntry] = []
    for payload in issued:
        document = invoice_document(payload, channels)
        period, day = await placement(unit, document.period, document.issue_date)
        entry, receivable = invoice_entry(document, Receivable(document.currency), chart, posting_period=period,
                                          posting_date=day)
        records.append(InvoiceRecord(document, entry.entry_id, receivable))
        entries.append(entry)
    await unit.invoices.add_many(records)
    await post_entries(unit, entries)
    await unit.parking.replay_many([invoice_key(payload.invoice_id) for payload in issued])
