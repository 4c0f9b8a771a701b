"""The context dispute-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from dataclasses import dataclass

from dispute_svc.adapters.invoice_svc_client import RememberedPriceSimulations
from dispute_svc.app.ports import Clock
from dispute_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext


@dataclass
class DisputeDeps(Dependencies):
    """invoice-svc (its price simulations remembered) for evidence packs, and the clock every use case reads."""

    invoice_client: RememberedPriceSimulations
    clock: Clock

    async def aclose(self) -> None:
        await self.invoice_client.aclose()


DisputeContext = ServiceContext[Settings, DisputeDeps]
