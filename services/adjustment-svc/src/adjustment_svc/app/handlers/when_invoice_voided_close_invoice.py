"""InvoiceVoided: no further memo may be requested or issued on the invoice."""

from __future__ import annotations

from adjustment_svc.app.handlers.waiting_for import invoice_key
from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceVoided


async def when_invoice_voided_close_invoice(event: Event[InvoiceVoided], unit: AdjustmentUnit) -> None:
    voided = event.payload
    if not await unit.invoices.exists(voided.invoice_id):
        await unit.parking.park(event, waiting_for=invoice_key(voided.invoice_id))
        return
    await unit.invoices.mark_void(voided.invoice_id, voided.voided_at)
