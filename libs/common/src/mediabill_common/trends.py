"""Trends (oversight.md O4), the same in every service: per group and calendar month in which the items were
raised, how many, how much (per currency; nothing adds amounts across currencies or services), and at what rate
against the denominator the service names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

NOT_RECORDED = "not_recorded"  # the group of items without one: unresolved, or resolved before causes were recorded


@dataclass(frozen=True)
class TrendCell:
    """What was raised in one month for one group, in one currency."""

    group: str
    month: str  # YYYY-MM
    currency: str
    count: int
    value: Decimal


def pareto_series(cells: Sequence[TrendCell], denominator_of: Callable[[TrendCell], Decimal | int], *,
                  rate_of: Literal["count", "value"] = "count", per: int = 1) -> list[dict[str, Any]]:
    """One series per (group, currency) with a point per month: count, value and `rate_of` × `per` / that
    month's denominator (None when it is 0). Ordered by value, largest first, then by count and name: a Pareto
    within each currency (values in different currencies are never added)."""
    by_series: dict[tuple[str, str], list[TrendCell]] = defaultdict(list)
    for cell in cells:
        by_series[(cell.group, cell.currency)].append(cell)
    series = []
    for (group, currency), months in by_series.items():
        months.sort(key=lambda c: c.month)
        points = [{"month": c.month, "count": c.count, "value": c.value, "denominator": denominator_of(c),
                   "rate": _rate((c.count if rate_of == "count" else c.value) * per, denominator_of(c))}
                  for c in months]
        series.append({"group": group, "currency": currency, "count": sum(c.count for c in months),
                       "value": sum((c.value for c in months), Decimal(0)), "months": points})
    return sorted(series, key=lambda s: (-s["value"], -s["count"], s["group"], s["currency"]))


def _rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    return None if denominator == 0 else (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))
