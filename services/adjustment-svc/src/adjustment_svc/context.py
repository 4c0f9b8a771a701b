"""The context adjustment-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from adjustment_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext


class AdjustmentDeps(Dependencies):
    """What the use cases need beyond one transaction: nothing yet. adjustment-svc calls no other service (it learns
    invoices, disputes and accounts from events) and its clock is the system's."""


AdjustmentContext = ServiceContext[Settings, AdjustmentDeps]
