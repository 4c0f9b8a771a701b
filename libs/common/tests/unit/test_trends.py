"""Trend series (oversight.md O4): per group and currency, months in order, largest value first."""

from decimal import Decimal

from mediabill_common.trends import TrendCell, pareto_series


def test_series_are_ordered_by_value_then_count_and_never_add_currencies():
    cells = [TrendCell("late_booking", "2026-11", "USD", 1, Decimal("5.00")),
             TrendCell("delivery_data", "2026-11", "USD", 2, Decimal("40.00")),
             TrendCell("delivery_data", "2026-10", "USD", 1, Decimal("60.00")),
             TrendCell("delivery_data", "2026-10", "EUR", 1, Decimal("70.00")),
             TrendCell("policy", "2026-10", "USD", 3, Decimal("5.00"))]
    issued = {"2026-10": 4, "2026-11": 0}
    series = pareto_series(cells, lambda c: issued[c.month])
    assert [(s["group"], s["currency"], s["count"], s["value"]) for s in series] == [
        ("delivery_data", "USD", 3, Decimal("100.00")), ("delivery_data", "EUR", 1, Decimal("70.00")),
        ("policy", "USD", 3, Decimal("5.00")), ("late_booking", "USD", 1, Decimal("5.00"))]
    assert [(p["month"], p["rate"]) for p in series[0]["months"]] == [("2026-10", Decimal("0.2500")),
                                                                      ("2026-11", None)]


def test_no_cells_no_series():
    assert pareto_series([], lambda c: 3) == []


def test_a_value_rate_divides_the_value_by_the_months_denominator_in_its_currency():
    billed = {("2026-10", "USD"): Decimal("1000.00"), ("2026-10", "EUR"): Decimal("0")}
    cells = [TrendCell("credit", "2026-10", "USD", 2, Decimal("25.00")),
             TrendCell("credit", "2026-10", "EUR", 1, Decimal("5.00"))]
    series = pareto_series(cells, lambda c: billed[(c.month, c.currency)], rate_of="value")
    assert [(s["currency"], s["months"][0]["rate"]) for s in series] == [("USD", Decimal("0.0250")), ("EUR", None)]


def test_a_rate_per_thousand_scales_the_count():
    [series] = pareto_series([TrendCell("delivery_data", "2026-10", "USD", 3, Decimal("9.00"))], lambda c: 1500,
                             per=1000)
    assert series["months"][0]["rate"] == Decimal("2.0000")
