"""Two delivery sources per service day (oversight.md O1): statuses, tolerance edges, values, the summary and
cutover readiness over the last N service days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from invoice_svc.domain.close.source_reconciliation import (
    Cutover,
    DayComparison,
    SourceEntry,
    arrived_cutover,
    day_value,
    difference_pct,
    readiness_window,
    source_status,
    summarize,
    unit_value,
    unready_days,
)

ONE = Decimal(1)


def test_equal_quantities_match_whatever_the_tolerance():
    assert source_status(1000, 1000, ONE) == "matched"
    assert source_status(0, 0, Decimal(0)) == "matched"


def test_exactly_at_the_tolerance_is_within_either_way():
    assert source_status(100_000, 101_000, ONE) == "within_tolerance"
    assert source_status(100_000, 99_000, ONE) == "within_tolerance"


def test_one_unit_beyond_the_tolerance_is_beyond_either_way():
    assert source_status(100_000, 101_001, ONE) == "beyond_tolerance"
    assert source_status(100_000, 98_999, ONE) == "beyond_tolerance"


def test_zero_tolerance_makes_any_difference_beyond():
    assert source_status(100_000, 100_001, Decimal(0)) == "beyond_tolerance"


def test_a_left_zero_against_any_right_quantity_is_beyond():
    assert source_status(0, 1, Decimal(50)) == "beyond_tolerance"


def test_a_day_only_one_source_has_is_only_that_side():
    assert source_status(500, None, ONE) == "only_left"
    assert source_status(None, 500, ONE) == "only_right"
    assert source_status(0, None, ONE) == "only_left"


def test_a_day_neither_source_has_is_refused():
    with pytest.raises(ValueError, match="at least one source"):
        source_status(None, None, ONE)


def test_difference_pct_is_right_minus_left_over_left():
    assert difference_pct(100_000, 101_000) == Decimal("1.00")
    assert difference_pct(3, 2) == Decimal("-33.33")
    assert difference_pct(0, 5) is None
    assert difference_pct(None, 5) is None and difference_pct(5, None) is None


def test_day_value_prices_the_quantity_at_the_lines_unit_value_and_rounds_once():
    per_impression = unit_value(Decimal("4000.00"), 1_000_000)
    assert per_impression == Decimal("0.004")
    assert day_value(12_345, per_impression, "USD") == Decimal("49.38")
    assert day_value(12_345, per_impression, "JPY") == Decimal("49")
    assert day_value(None, per_impression, "USD") is None
    assert day_value(10, None, "USD") is None
    assert unit_value(Decimal("10"), 0) is None


def test_summary_counts_every_status_and_adds_each_sides_value_per_currency():
    days = [
        DayComparison("matched", "USD", Decimal("10.00"), Decimal("10.00")),
        DayComparison("beyond_tolerance", "USD", Decimal("10.00"), Decimal("12.50")),
        DayComparison("only_left", "USD", Decimal("4.00"), None),
        DayComparison("only_right", "EUR", None, Decimal("7.00")),
        DayComparison("within_tolerance", "USD", None, None),     # the line could not be priced
    ]
    summary = summarize(days)
    assert summary.rows == {"matched": 1, "within_tolerance": 1, "beyond_tolerance": 1, "only_left": 1,
                            "only_right": 1}
    assert summary.unpriced_rows == 1
    usd, eur = summary.values["USD"], summary.values["EUR"]
    assert (usd.left_value, usd.right_value, usd.difference) == (Decimal("24.00"), Decimal("22.50"),
                                                                 Decimal("-1.50"))
    assert (eur.left_value, eur.right_value, eur.difference) == (Decimal(0), Decimal("7.00"), Decimal("7.00"))


def test_an_empty_summary_still_names_every_status():
    assert summarize([]).rows == {"matched": 0, "within_tolerance": 0, "beyond_tolerance": 0, "only_left": 0,
                                  "only_right": 0}


# ---- cutover readiness ----------------------------------------------------------------------------------------------
D = date(2026, 11, 16)
PIO, OMS = SourceEntry("pio", date(2026, 1, 1)), SourceEntry("oms", D)


def test_a_cutover_arrives_on_its_date_and_not_before():
    assert arrived_cutover([PIO, OMS], D - timedelta(days=1)) is None
    assert arrived_cutover([OMS, PIO], D) == Cutover(PIO, OMS)
    assert arrived_cutover([PIO, OMS], D + timedelta(days=30)) == Cutover(PIO, OMS)


def test_no_cutover_without_a_change_of_source():
    assert arrived_cutover([PIO], D) is None
    assert arrived_cutover([PIO, SourceEntry("pio", D)], D) is None
    assert arrived_cutover([], D) is None


def test_the_window_is_the_last_n_days_before_today_then_before_the_cutover_date():
    assert readiness_window(D, date(2026, 11, 10), 3) == [date(2026, 11, 7), date(2026, 11, 8), date(2026, 11, 9)]
    assert readiness_window(D, date(2026, 12, 7), 2) == [date(2026, 11, 14), date(2026, 11, 15)]


def test_every_day_of_the_window_matched_or_within_tolerance_is_ready():
    window = readiness_window(D, D, 7)
    statuses = {day: ["matched", "within_tolerance"] for day in window}
    assert unready_days(statuses, window) == []


def test_one_day_beyond_tolerance_or_one_sided_or_missing_is_not_ready():
    window = readiness_window(D, D, 3)      # 13, 14, 15
    statuses = {window[0]: ["matched"], window[1]: ["beyond_tolerance", "only_left", "beyond_tolerance"]}
    assert unready_days(statuses, window) == ["2026-11-14: 2 beyond_tolerance, 1 only_left",
                                              "2026-11-15: no delivery from either source"]
    statuses[window[1]] = ["matched"]
    statuses[window[2]] = ["only_right"]
    assert unready_days(statuses, window) == ["2026-11-15: 1 only_right"]
