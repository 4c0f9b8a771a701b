"""Product events (created, updated, rate card added, activated, retired): the evidence pack re-prices with the
product's newest state; an older state_version arriving late is ignored."""

from __future__ import annotations

from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ProductChanged


async def when_product_changed_keep_product(event: Event[ProductChanged], unit: DisputeUnit) -> None:
    product = event.payload.product
    await unit.config.keep_newer("product", product.code, event.payload.state_version,
                                 product.model_dump(mode="json"))
