"""InvoiceIssued: add the invoice to the read model, then apply what was waiting for it."""

from __future__ import annotations

from adjustment_svc.app.handlers.waiting_for import invoice_key
from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued


async def when_invoice_issued_record_invoice(event: Event[InvoiceIssued], unit: AdjustmentUnit) -> None:
    await unit.invoices.record_issued(event.payload)
    await unit.parking.replay(invoice_key(event.payload.invoice_id))
