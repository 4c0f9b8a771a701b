"""The context invoice-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from dataclasses import dataclass

from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.simulation_pool import SimulationPool
from invoice_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext


@dataclass
class InvoiceDeps(Dependencies):
    """What invoice-svc needs beyond one transaction, one of each per process."""

    units: SqlUnits  # each transaction's unit of work (they share the memo of parsed configuration states)
    simulations: SimulationPool  # prices large price simulations off the event loop

    async def aclose(self) -> None:
        await self.simulations.aclose()


InvoiceContext = ServiceContext[Settings, InvoiceDeps]
