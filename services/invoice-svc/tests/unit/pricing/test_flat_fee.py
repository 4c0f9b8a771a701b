"""Rule 6: flat fees spread over the flight's days; the months add up to the fee exactly."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_svc.domain.pricing import price_invoice_group

FLAT = "TAKEOVER"


def _contract(k, fee="10000.00", start="2024-01-15", end="2024-04-14", **kw):
    return k.terms(k.line("F1", FLAT, fee=fee, budget=kw.pop("budget", None)), start=start, end=end, **kw)


def _bill(k, period, billed, contract=None, account=None, products=None):
    contract = contract or _contract(k)
    return price_invoice_group(k.group(contract=contract, period=period, products=products or
                                       [k.product(FLAT, "flat_fee", None)], billed={"F1": str(billed)},
                                       account=account))


def test_flat_fee_months_follow_elapsed_flight_days_and_add_up_to_the_fee(pricing_kit):
    k = pricing_kit
    # Flight 2024-01-15..2024-04-14 = 17 + 29 + 31 + 14 = 91 days.
    expected = [("2024-01", 17, "1868.13"), ("2024-02", 29, "3186.82"), ("2024-03", 31, "3406.59"),
                ("2024-04", 14, "1538.46")]
    billed = D(0)
    for period, days, amount in expected:
        [line] = _bill(k, period, billed).lines
        assert (line.kind, line.quantity, line.unit, line.amount) == ("flat_fee", days, "days", D(amount))
        assert line.unit_price == D("109.89")  # the daily rate, informational
        billed += line.amount
    assert billed == D("10000.00")


def test_flat_fee_needs_no_delivery_and_ignores_budget(pricing_kit):
    k = pricing_kit
    draft = _bill(k, "2024-01", 0, contract=_contract(k, budget="100.00"))
    assert draft.total.amount == D("1868.13") and draft.exceptions == ()


def test_flat_fee_outside_the_flight_bills_nothing(pricing_kit):
    k = pricing_kit
    assert _bill(k, "2023-12", 0).lines == ()
    assert _bill(k, "2024-05", "10000.00").lines == ()


def test_flat_fee_catches_up_a_month_that_was_never_billed(pricing_kit):
    k = pricing_kit
    [line] = _bill(k, "2024-05", "8461.54").lines
    assert (line.quantity, line.amount) == (0, D("1538.46"))


def test_flat_fee_takes_discount_and_commission_like_usage(pricing_kit):
    k = pricing_kit
    contract = _contract(k, fee="3000.00", start="2024-06-01", end="2024-06-30", discount="10", commission="15")
    draft = _bill(k, "2024-06", 0, contract=contract, account=k.bill_to("agency"))
    assert [(ln.kind, ln.amount) for ln in draft.lines] == [
        ("flat_fee", D("3000.00")), ("discount", D("-300.00")), ("agency_commission", D("-405.00"))]
    assert draft.total.amount == D("2295.00")


def test_flat_fee_falls_back_to_the_rate_card_price(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line("F1", FLAT), start="2024-06-01", end="2024-06-30")
    draft = _bill(k, "2024-06", 0, contract=contract, products=[k.product(FLAT, "flat_fee", "900.00")])
    assert draft.total.amount == D("900.00")


def test_flat_fee_without_any_fee_raises_missing_rate(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line("F1", FLAT), start="2024-06-01", end="2024-06-30")
    draft = _bill(k, "2024-06", 0, contract=contract, products=[k.product(FLAT, "flat_fee", None)])
    assert draft.lines == () and [e.kind for e in draft.exceptions] == ["missing_rate"]


@settings(max_examples=100, deadline=None)
@given(fee=st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
       start_day=st.integers(min_value=0, max_value=400), length=st.integers(min_value=1, max_value=500))
def test_flat_fee_months_always_add_up_to_the_fee_exactly(pricing_kit, fee, start_day, length):
    from datetime import date, timedelta
    k = pricing_kit
    start = date(2024, 1, 1) + timedelta(days=start_day)
    end = start + timedelta(days=length - 1)
    contract = _contract(k, fee=str(fee), start=start.isoformat(), end=end.isoformat())
    billed, year, month = D(0), start.year, start.month
    while (year, month) <= (end.year, end.month):
        draft = _bill(k, f"{year:04d}-{month:02d}", billed, contract=contract)
        billed += sum((ln.amount for ln in draft.lines), D(0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert billed == fee
