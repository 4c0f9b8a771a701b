"""A delivery source was registered or changed: keep its newer state (the event sources its deliveries may come
from, checked as each delivery batch arrives)."""

from __future__ import annotations

from invoice_svc.app.ports import InvoiceUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DeliverySourceChanged


async def when_delivery_source_registered_refresh(event: Event[DeliverySourceChanged], unit: InvoiceUnit) -> None:
    await unit.config.save_delivery_source(event.payload.delivery_source, event.payload.state_version)
