"""InvoiceIssued: the invoice and its lines become disputable; what was waiting for it is applied now."""

from __future__ import annotations

from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued


async def when_invoice_issued_record_invoice(event: Event[InvoiceIssued], unit: DisputeUnit) -> None:
    await unit.invoices.record_issued(event.payload)
    await unit.parking.replay(event.payload.invoice_id)
