"""What an event of accounting-svc can wait for: its invoice (a memo, a void or a balance change about an invoice
not posted yet is parked under the invoice's key and replayed when InvoiceIssued posts it, C7)."""

from __future__ import annotations

from accounting_svc.app.ports import AccountingUnit, InvoiceRecord
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import Payload


def invoice_key(invoice_id: str) -> str:
    return f"invoice:{invoice_id}"


async def posted_invoice_or_park(event: Event[Payload], unit: AccountingUnit, invoice_id: str) \
        -> InvoiceRecord | None:
    """The invoice as posted, locked for the change; None when the event was parked until it arrives."""
    record = await unit.invoices.get(invoice_id, for_update=True)
    if record is None:
        await unit.parking.park(event, waiting_for=invoice_key(invoice_id))
    return record
