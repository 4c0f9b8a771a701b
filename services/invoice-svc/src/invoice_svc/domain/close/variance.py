"""The variance report (close.md "Reports and feeds"): per contract line and service period, booked vs delivered
vs billed, gross, each difference with its % and a flag beyond the threshold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoice_svc.domain.pricing.terms import flight_days, period_bounds
from mediabill_common.money import round_money


def _earned_by(amount: Decimal, start: date, end: date, day: date, currency: str) -> Decimal:
    """round(amount x flight days elapsed by `day` / flight days) (rule 6's spread)."""
    total = flight_days(start, end)
    if total == 0 or day < start:
        return round_money(Decimal(0), currency)
    return round_money(amount * flight_days(start, min(day, end)) / total, currency)


def booked_share(amount: Decimal | None, flight_start: date, flight_end: date, period: str,
                 currency: str) -> Decimal | None:
    """What the line booked for `period`: its budget (or fee) spread evenly over the flight's days, as the share
    elapsed by the period's end less the share elapsed by the previous period's end. None without a budget or fee
    (an uncapped line books no amount)."""
    if amount is None:
        return None
    first, last = period_bounds(period)
    before = date.fromordinal(first.toordinal() - 1)
    return (_earned_by(amount, flight_start, flight_end, last, currency)
            - _earned_by(amount, flight_start, flight_end, before, currency))


@dataclass(frozen=True)
class Difference:
    amount: Decimal | None
    pct: Decimal | None
    flagged: bool


def difference(value: Decimal | None, base: Decimal | None, threshold_pct: Decimal) -> Difference:
    """value - base, and its % of base (2 places), flagged when the % is beyond the threshold either way (or when
    there is a difference and no base to measure it against)."""
    if value is None or base is None:
        return Difference(None, None, False)
    amount = value - base
    if not base:
        return Difference(amount, None, bool(amount))
    pct = (amount * 100 / base).quantize(Decimal("0.01"))
    return Difference(amount, pct, abs(pct) > threshold_pct)
