"""ProductCreated / ProductUpdated / …: keep the product's channel and revenue account (the channel is a dimension
of every line posted for it, C1)."""

from __future__ import annotations

from accounting_svc.app.ports import AccountingUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ProductChanged


async def when_product_changed_keep_product(event: Event[ProductChanged], unit: AccountingUnit) -> None:
    product = event.payload.product
    await unit.products.keep_newer(product.code, event.payload.state_version, channel=product.channel,
                                   gl_revenue_account=product.gl_revenue_account)
