"""A product changed (created, updated, a rate card added, activated, retired): keep its newer state and re-check the
deliveries held for it."""

from __future__ import annotations

from invoice_svc.app.delivery_checks import recheck_held
from invoice_svc.app.ports import InvoiceUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ProductChanged


async def when_product_changed_refresh_and_recheck(event: Event[ProductChanged], unit: InvoiceUnit) -> None:
    code = event.payload.product.code
    # Exclusive: a delivery batch reading this product commits before, or reads the new state (app/ports.py).
    await unit.config.lock_exclusive("product", code)
    if await unit.config.save_product(event.payload.product, event.payload.state_version):
        await recheck_held(unit, "product", code)
