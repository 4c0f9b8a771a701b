"""Two delivery sources compared per service day (oversight.md O1): a migration's parallel run made visible.

Pure arithmetic from given quantities and unit values; the application layer reads the ledger and prices the line.
The left source is the reference (usually the one billing today), so the difference is right - left and its
percentage is taken of the left quantity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple

from mediabill_common.money import round_money

SourceStatus = Literal["matched", "within_tolerance", "beyond_tolerance", "only_left", "only_right"]
STATUSES: tuple[SourceStatus, ...] = ("matched", "within_tolerance", "beyond_tolerance", "only_left", "only_right")
MISSING_BILLING_SOURCE_DELIVERY = "missing_billing_source_delivery"


def difference_pct(left: int | None, right: int | None) -> Decimal | None:
    """(right - left) / left in percent, 2 places (half up); None when a side is missing or the left is zero."""
    if left is None or right is None or left == 0:
        return None
    return (Decimal(right - left) * 100 / left).quantize(Decimal("0.01"))


def source_status(left: int | None, right: int | None, tolerance_pct: Decimal) -> SourceStatus:
    """Where a service day stands between two sources (None: the source has no record of the day).

    Equal quantities match. Otherwise the day is within tolerance when |right - left| <= left x tolerance / 100,
    compared exactly (not on the rounded %); a left quantity of zero against any right quantity is beyond.
    """
    if left is None and right is None:
        raise ValueError("a service day needs a record in at least one source")
    if right is None:
        return "only_left"
    if left is None:
        return "only_right"
    if left == right:
        return "matched"
    gap = Decimal(abs(right - left))
    return "within_tolerance" if gap <= Decimal(left) * tolerance_pct / 100 else "beyond_tolerance"


def day_value(quantity: int | None, unit_value: Decimal | None, currency: str) -> Decimal | None:
    """The day's quantity at the line's effective value per unit, rounded to the currency; None when the source
    has no record of the day (or the line cannot be priced)."""
    if quantity is None or unit_value is None:
        return None
    return round_money(Decimal(quantity) * unit_value, currency)


def unit_value(amount: Decimal, quantity: int) -> Decimal | None:
    """The effective value of one unit: what a priced line bills over the quantity it bills (None for none)."""
    return None if quantity == 0 else amount / quantity


@dataclass(frozen=True)
class DayComparison:
    """One (contract, line item, service date) compared: each side's quantity and value, in one currency."""

    status: SourceStatus
    currency: str
    left_value: Decimal | None
    right_value: Decimal | None


@dataclass
class CurrencyTotals:
    """Value per side and their difference (right - left) over the priced days of one currency."""

    currency: str
    left_value: Decimal = Decimal(0)
    right_value: Decimal = Decimal(0)

    @property
    def difference(self) -> Decimal:
        return self.right_value - self.left_value


@dataclass
class ReconciliationSummary:
    """Rows per status, and value per side per currency (days that cannot be priced are counted apart)."""

    rows: dict[SourceStatus, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    values: dict[str, CurrencyTotals] = field(default_factory=dict)
    unpriced_rows: int = 0


def summarize(days: Iterable[DayComparison]) -> ReconciliationSummary:
    """The summary of compared days: each counted under its status, each side's value added in its currency."""
    summary = ReconciliationSummary()
    for day in days:
        summary.rows[day.status] += 1
        if (day.left_value is None and day.status != "only_right") or \
                (day.right_value is None and day.status != "only_left"):
            summary.unpriced_rows += 1
            continue
        totals = summary.values.setdefault(day.currency, CurrencyTotals(day.currency))
        totals.left_value += day.left_value or Decimal(0)
        totals.right_value += day.right_value or Decimal(0)
    return summary


# ---- cutover readiness (oversight.md O1) ---------------------------------------------------------------------------
CUTOVER_NOT_READY = "cutover_not_ready"
READY_STATUSES: frozenset[SourceStatus] = frozenset({"matched", "within_tolerance"})


class SourceEntry(NamedTuple):
    """A product's billing source from a service date on (its `billing_sources` entry)."""

    source_system: str
    effective_from: date


class Cutover(NamedTuple):
    """A change of billing source: `current` bills until `new.effective_from`."""

    current: SourceEntry
    new: SourceEntry


def arrived_cutover(entries: Sequence[SourceEntry], today: date) -> Cutover | None:
    """The cutover in effect on `today`: the latest entry on or before it, when an earlier entry named another
    source (None when no source changed hands by `today`)."""
    past = sorted((e for e in entries if e.effective_from <= today), key=lambda e: e.effective_from)
    if len(past) < 2 or past[-1].source_system == past[-2].source_system:
        return None
    return Cutover(past[-2], past[-1])


def readiness_window(effective_from: date, today: date, days: int) -> list[date]:
    """The last `days` service days before `today`, or before the cutover date once it has arrived (after it the
    current source may stop reporting): the days the new source must reconcile on."""
    end = min(today, effective_from)
    return [end - timedelta(days=n) for n in range(days, 0, -1)]


def unready_days(statuses: Mapping[date, Sequence[SourceStatus]], window: Sequence[date]) -> list[str]:
    """Why each day of the window is not reconciled (empty: every day is): a day with no delivery from either
    source, or with a row neither matched nor within tolerance (counted per status)."""
    reasons: list[str] = []
    for day in window:
        found = statuses.get(day, ())
        if not found:
            reasons.append(f"{day.isoformat()}: no delivery from either source")
            continue
        off = [s for s in found if s not in READY_STATUSES]
        if off:
            counts = ", ".join(f"{off.count(s)} {s}" for s in STATUSES if s in off)
            reasons.append(f"{day.isoformat()}: {counts}")
    return reasons
