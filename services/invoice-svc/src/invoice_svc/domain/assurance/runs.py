"""What an assurance run may be asked for, the periods the daily run checks, and the contract terms an invoice was
priced with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from invoice_svc.domain.errors import InvalidRequest
from invoice_svc.domain.pricing import ContractTerms, terms_in_effect_of_wire

MAX_PERIODS = 24


def check_assurance_periods(periods: Sequence[str], *, today: date) -> list[str]:
    """The distinct periods of a request, in order; InvalidRequest when there are none, too many, or one that has
    not begun on `today` (nothing can be issued for it yet)."""
    chosen = sorted(set(periods))
    if not chosen:
        raise InvalidRequest("name at least one period (YYYY-MM) to check", field="periods")
    if len(chosen) > MAX_PERIODS:
        raise InvalidRequest(f"at most {MAX_PERIODS} periods per assurance run; {len(chosen)} were named",
                             field="periods")
    future = [p for p in chosen if p > f"{today:%Y-%m}"]
    if future:
        raise InvalidRequest(f"the period {future[0]} has not begun (today is {today.isoformat()}): no invoice of "
                             "it can have been issued", field="periods")
    return chosen


def scheduled_periods(day: date, months: int) -> list[str]:
    """The daily run's periods on `day`: its month and the `months - 1` before it, oldest first."""
    out: list[str] = []
    year, month = day.year, day.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


def terms_as_issued(contract: Mapping[str, Any], period: str, amendment_no: int | None) -> ContractTerms:
    """The contract's terms for `period` as they were when an invoice priced with amendment `amendment_no` was
    issued: amendments made after it are left out (a later amendment is a change of terms, not drift). With no
    recorded amendment (an invoice issued before they were recorded), the terms in effect for the period now."""
    if amendment_no is None:
        return terms_in_effect_of_wire(contract, period)
    versions = [v for v in contract.get("versions") or () if v["amendment_no"] <= amendment_no]
    return terms_in_effect_of_wire({**contract, "versions": versions}, period)
