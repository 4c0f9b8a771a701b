"""Pure KPI arithmetic: percentiles of turnaround and age buckets of pending requests."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("<1d", timedelta(days=1)), ("1-3d", timedelta(days=3)), ("3-7d", timedelta(days=7)), (">7d", None),
)


def percentile(values: list[Decimal], pct: int) -> Decimal | None:
    """Nearest-rank percentile (pct 1..100) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct * len(ordered) / 100))
    return ordered[rank - 1]


def hours_between(seconds: float | Decimal) -> Decimal:
    """Seconds as hours to two places (a duration, not money)."""
    return (Decimal(str(seconds)) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def age_bucket(age: timedelta) -> str:
    """The bucket a pending request of this age falls in."""
    for name, upper in AGE_BUCKETS:
        if upper is None or age < upper:
            return name
    return AGE_BUCKETS[-1][0]
