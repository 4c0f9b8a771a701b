"""What an assurance run may be asked for and which periods the daily run checks (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from invoice_svc.domain.assurance.runs import check_assurance_periods, scheduled_periods
from invoice_svc.domain.errors import InvalidRequest

TODAY = date(2026, 12, 7)


def test_periods_are_deduplicated_and_ordered() -> None:
    assert check_assurance_periods(["2026-11", "2026-10", "2026-11"], today=TODAY) == ["2026-10", "2026-11"]


@pytest.mark.parametrize("periods", [[], ["2027-01"], [f"20{y:02d}-01" for y in range(0, 25)]])
def test_no_period_a_future_one_or_too_many_are_refused(periods: list[str]) -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_assurance_periods(periods, today=TODAY)
    assert refused.value.field == "periods"


def test_the_daily_run_checks_the_current_month_and_the_ones_before() -> None:
    assert scheduled_periods(date(2026, 1, 15), 2) == ["2025-12", "2026-01"]
    assert scheduled_periods(date(2026, 3, 1), 1) == ["2026-03"]
    assert scheduled_periods(date(2026, 3, 1), 14)[0] == "2025-02"
