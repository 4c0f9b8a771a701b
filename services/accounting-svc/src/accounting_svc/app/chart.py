"""Replacing the chart-of-accounts mapping (C8): audited; entries already posted keep their accounts."""

from __future__ import annotations

import dataclasses

from accounting_svc.app.ports import AccountingUnit
from accounting_svc.domain.chart import ChartOfAccounts


async def replace_chart(unit: AccountingUnit, chart: ChartOfAccounts, *, actor: str) -> int:
    """Store the new mapping; its version. Call with the mapping locked (`chart.current(for_update=True)`)."""
    before, _ = await unit.chart.current()
    version = await unit.chart.replace(chart, by=actor)
    await unit.record_audit(actor=actor, action="chart_of_accounts.replaced", entity_type="chart_of_accounts",
                            entity_id="1", before=dataclasses.asdict(before), after=dataclasses.asdict(chart))
    return version
