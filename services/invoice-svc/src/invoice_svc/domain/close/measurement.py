"""First-party against third-party measurement (oversight.md O2): rule 5 made visible per contract line.

Pure arithmetic from given counts and amounts; the application layer prices with the engine and reads the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

MeasurementStatus = Literal["within_threshold", "beyond_threshold", "missing_third_party"]


def discrepancy_pct(first_party: int, third_party: int | None) -> Decimal | None:
    """(1P - 3P) / 3P in percent, 2 places (half up); None when the third-party count is missing or zero."""
    if not third_party:
        return None
    return (Decimal(first_party - third_party) * 100 / third_party).quantize(Decimal("0.01"))


def measurement_status(first_party: int, third_party: int | None, threshold_pct: Decimal) -> MeasurementStatus:
    """Where the two counts stand against rule 5's threshold t.

    `beyond_threshold` when |1P - 3P| > 3P x t, compared exactly (not on the rounded %): above it, the
    `discrepancy_tolerance` basis bills 3P x (1 + t) rather than 1P; below it, third-party counts more than the ad
    server by more than the tolerance. A zero third-party count against any first-party delivery is beyond; none
    against none is within. `missing_third_party` when a delivery of the period lacks a third-party count.
    """
    if third_party is None:
        return "missing_third_party"
    gap = Decimal(abs(first_party - third_party))
    return "beyond_threshold" if gap > Decimal(third_party) * threshold_pct / 100 else "within_threshold"


@dataclass(frozen=True)
class ValueAtStake:
    """What first-party impressions would have billed, what was billed, and the difference (None when the
    first-party value cannot be priced)."""

    first_party_value: Decimal | None
    billed: Decimal
    at_stake: Decimal | None


def value_at_stake(first_party_value: Decimal | None, billed: Decimal) -> ValueAtStake:
    """first-party value - billed: positive when the line billed less than the ad server counted."""
    at_stake = None if first_party_value is None else first_party_value - billed
    return ValueAtStake(first_party_value, billed, at_stake)
