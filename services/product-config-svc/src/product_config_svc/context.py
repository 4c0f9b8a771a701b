"""The context product-config-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from mediabill_common.service import Dependencies, ServiceContext
from product_config_svc.app.ports import CutoverPolicy, PriceSimulator, SourceReconciler
from product_config_svc.settings import Settings


@dataclass
class ProductConfigDeps(Dependencies):
    """What the use cases need beyond one transaction: invoice-svc's price simulations and source reconciliation,
    and the cutover readiness item's settings."""

    invoice_svc: httpx.AsyncClient  # the simulator's HTTP client, closed with the context
    price_simulator: PriceSimulator
    source_reconciler: SourceReconciler
    cutover_policy: CutoverPolicy

    async def aclose(self) -> None:
        await self.invoice_svc.aclose()


ProductConfigContext = ServiceContext[Settings, ProductConfigDeps]
