"""InvoiceIssued: post the invoice's revenue side and receivable (C2, C4), then what was waiting for it."""

from __future__ import annotations

from accounting_svc.app.documents import invoice_document
from accounting_svc.app.handlers.waiting_for import invoice_key
from accounting_svc.app.ports import AccountingUnit, InvoiceRecord
from accounting_svc.app.posting import placement, post_entry
from accounting_svc.domain.postings import invoice_entry
from accounting_svc.domain.receivable import Receivable
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued


async def when_invoice_issued_post_invoice(event: Event[InvoiceIssued], unit: AccountingUnit) -> None:
    issued = event.payload
    if await unit.invoices.get(issued.invoice_id) is not None:
        return  # posted already: the same invoice published again under another event id
    chart, _ = await unit.chart.current()
    channels = await unit.products.channels({line.product_code for line in issued.lines if line.product_code})
    document = invoice_document(issued, channels)
    period, day = await placement(unit, document.period, document.issue_date)
    entry, receivable = invoice_entry(document, Receivable(document.currency), chart, posting_period=period,
                                      posting_date=day)
    await unit.invoices.add(InvoiceRecord(document, entry.entry_id, receivable))
    await post_entry(unit, entry)
    await unit.parking.replay(invoice_key(issued.invoice_id))
