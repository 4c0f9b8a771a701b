"""DisputeWithdrawn: the disputed amounts return to the lines' headroom."""

from __future__ import annotations

from adjustment_svc.app.handlers.waiting_for import known_dispute_or_park
from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeWithdrawn


async def when_dispute_withdrawn_release_lines(event: Event[DisputeWithdrawn], unit: AdjustmentUnit) -> None:
    if await known_dispute_or_park(event, unit, event.payload.invoice_id, event.payload.dispute_id):
        await unit.invoices.set_dispute_status(event.payload.dispute_id, "withdrawn")
