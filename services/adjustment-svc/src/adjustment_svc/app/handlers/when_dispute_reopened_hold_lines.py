"""DisputeReopened (its settling credit was rejected): the disputed amounts are held again."""

from __future__ import annotations

from adjustment_svc.app.handlers.waiting_for import known_dispute_or_park
from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeReopened


async def when_dispute_reopened_hold_lines(event: Event[DisputeReopened], unit: AdjustmentUnit) -> None:
    if await known_dispute_or_park(event, unit, event.payload.invoice_id, event.payload.dispute_id):
        await unit.invoices.set_dispute_status(event.payload.dispute_id, "open")
