"""InvoiceVoided: no dispute may be opened on the invoice any more."""

from __future__ import annotations

from dispute_svc.app.handlers.waiting_for_invoice import parked_until_invoice_arrives
from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceVoided


async def when_invoice_voided_mark_void(event: Event[InvoiceVoided], unit: DisputeUnit) -> None:
    if not await parked_until_invoice_arrives(event, unit, event.payload.invoice_id):
        await unit.invoices.mark_void(event.payload.invoice_id)
