"""DisputeOpened: the disputed line amounts leave the lines' headroom while the dispute is open."""

from __future__ import annotations

from adjustment_svc.app.handlers.waiting_for import dispute_key, invoice_key
from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeOpened


async def when_dispute_opened_hold_lines(event: Event[DisputeOpened], unit: AdjustmentUnit) -> None:
    opened = event.payload
    if not await unit.invoices.exists(opened.invoice_id):
        await unit.parking.park(event, waiting_for=invoice_key(opened.invoice_id))
        return
    await unit.invoices.record_dispute_opened(opened)
    await unit.parking.replay(dispute_key(opened.dispute_id))
