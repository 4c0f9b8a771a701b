"""What an event of adjustment-svc can wait for: its invoice, or its dispute (an event about something not seen yet
is parked under the key of what it waits for, and replayed by the handler of that thing)."""

from __future__ import annotations

from adjustment_svc.app.ports import AdjustmentUnit, DisputeView
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import Payload


def invoice_key(invoice_id: str) -> str:
    return f"invoice:{invoice_id}"


def dispute_key(dispute_id: str) -> str:
    return f"dispute:{dispute_id}"


async def known_dispute_or_park(event: Event[Payload], unit: AdjustmentUnit, invoice_id: str,
                                dispute_id: str) -> DisputeView | None:
    """The dispute the event is about; None when the event was parked until its invoice or dispute arrives."""
    if not await unit.invoices.exists(invoice_id):
        await unit.parking.park(event, waiting_for=invoice_key(invoice_id))
        return None
    dispute = await unit.invoices.get_dispute(dispute_id)
    if dispute is None:
        await unit.parking.park(event, waiting_for=dispute_key(dispute_id))
    return dispute
