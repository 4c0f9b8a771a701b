"""The variance report's arithmetic: booked shares of a budget or fee over the flight, differences and flags."""

from datetime import date
from decimal import Decimal as D

from invoice_svc.domain.close.variance import booked_share, difference

START, END = date(2025, 3, 1), date(2025, 4, 30)  # 61 days


def test_booked_spreads_the_budget_over_the_flights_days_and_the_months_add_up():
    march = booked_share(D("3100.00"), START, END, "2025-03", "USD")
    april = booked_share(D("3100.00"), START, END, "2025-04", "USD")
    assert (march, april) == (D("1575.41"), D("1524.59"))
    assert march + april == D("3100.00")


def test_nothing_is_booked_outside_the_flight_and_an_uncapped_line_books_no_amount():
    assert booked_share(D("3100.00"), START, END, "2025-02", "USD") == D("0.00")
    assert booked_share(D("3100.00"), START, END, "2025-05", "USD") == D("0.00")
    assert booked_share(None, START, END, "2025-03", "USD") is None


def test_a_difference_beyond_the_threshold_is_flagged_either_way():
    d = difference(D("2000.00"), D("1550.00"), D(10))
    assert (d.amount, d.pct, d.flagged) == (D("450.00"), D("29.03"), True)
    low = difference(D("1500.00"), D("1550.00"), D(10))
    assert (low.amount, low.pct, low.flagged) == (D("-50.00"), D("-3.23"), False)
    assert difference(D("-200.00"), D("1550.00"), D(10)).flagged


def test_no_base_gives_no_percentage_and_any_difference_is_flagged():
    assert difference(D("5.00"), D("0.00"), D(10)).flagged and difference(D("5.00"), D("0.00"), D(10)).pct is None
    assert not difference(D("0.00"), D("0.00"), D(10)).flagged
    assert difference(None, D("1.00"), D(10)).amount is None
