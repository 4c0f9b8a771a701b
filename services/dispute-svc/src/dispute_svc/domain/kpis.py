"""Dispute figures leadership asks for: rate, turnaround, SLA adherence, ageing, value by reason and product."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (mean of the two middle values for an even count); None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[Decimal], pct: int) -> Decimal | None:
    """Nearest-rank percentile: the smallest value with at least `pct`% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def share(part: int, whole: int) -> Decimal | None:
    """`part / whole` as a fraction with 4 decimals; None when `whole` is 0 (nothing to measure)."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def hours(seconds: float | Decimal) -> Decimal:
    """A duration in hours with one decimal."""
    return (Decimal(str(seconds)) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
