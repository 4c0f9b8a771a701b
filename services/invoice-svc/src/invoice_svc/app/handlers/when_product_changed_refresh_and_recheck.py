"""A product changed (created, updated, a rate card added, activated, retired): keep its newer state and re-check the
deliveries held for it; when its billing sources changed, decide again which source bills its days from the first
day the change alters (oversight.md O1)."""

from __future__ import annotations

from invoice_svc.app.delivery_checks import recheck_billing_sources, recheck_held
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.ledger.sources import first_changed_day
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ProductChanged


async def when_product_changed_refresh_and_recheck(event: Event[ProductChanged], unit: InvoiceUnit) -> None:
    code = event.payload.product.code
    # Exclusive: a delivery batch reading this product commits before, or reads the new state (app/ports.py).
    await unit.config.lock_exclusive("product", code)
    before = (await unit.config.load({code}, (), ())).products.get(code)
    product = event.payload.product
    if await unit.config.save_product(product, event.payload.state_version):
        await recheck_held(unit, "product", code)
        changed = first_changed_day(before.billing_sources if before is not None else (), product.billing_sources)
        if changed is not None:
            await recheck_billing_sources(unit, code, changed)
