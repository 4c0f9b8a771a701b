"""The summary's oversight lines (oversight.md): the PIO -> OMS parallel run reconciled, and first- against
third-party measurement's value at stake."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from tools.demo.client import Api, ApiError
from tools.demo.world import CURRENT_SOURCE, NEW_SOURCE, World


async def oversight_lines(api: Api, world: World) -> list[str]:
    """Two lines: the source reconciliation of the migrating product, and the measurement's value at stake."""
    lines = []
    try:
        if world.migration is not None:
            page = await api.get("invoice-svc", "/v1/reconciliations/sources", period=world.period,
                                 left=CURRENT_SOURCE, right=NEW_SOURCE, product_code=world.migration.product_code,
                                 limit=1)
            rows = {k: v for k, v in page["summary"]["rows"].items() if v}
            values = "; ".join(f"{v['currency']} {CURRENT_SOURCE} {v['left_value']}, {NEW_SOURCE} "
                               f"{v['right_value']}, difference {v['difference']}" for v in page["summary"]["values"])
            lines.append(f"  source reconciliation {CURRENT_SOURCE} vs {NEW_SOURCE} on {world.migration.product_code}:"
                         f" {rows}; {values}")
        measured = await api.get_all("invoice-svc", "/v1/reconciliations/measurement", period=world.period)
    except ApiError as exc:
        return [*lines, f"  oversight             unavailable ({exc.status})"]
    statuses = Counter(r["status"] for r in measured)
    at_stake = sum((Decimal(r["value_at_stake"]) for r in measured if r["value_at_stake"] is not None), Decimal(0))
    lines.append(f"  3P measurement        {dict(statuses)} CPM lines; value at stake {at_stake} USD")
    return lines
