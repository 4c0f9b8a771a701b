"""Rule 18: the one definition of an invoice line's headroom that dispute-svc and adjustment-svc both check."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from mediabill_common.headroom import LineExposure, headroom_breaches


def test_headroom_is_amount_less_credited_pending_credit_and_open_disputes():
    assert LineExposure("L1", D("2950.00"), D("100.00"), D("1770.00"), D("600.00")).headroom == D("480.00")
    assert LineExposure("L1", D("2950.00")).headroom == D("2950.00")


def test_headroom_goes_negative_when_more_was_booked_than_the_line_holds():
    # billing-rules.md rule 18, issue 17: a 1,770.00 credit approved over 2,600.00 of disputes on 2,950.00
    assert LineExposure("L1", D("2950.00"), D("1770.00"), D(0), D("2600.00")).headroom == D("-1420.00")


def test_a_breach_names_the_line_and_every_term_of_its_headroom():
    exposures = {"L1": LineExposure("L1", D("2950.00"), D(0), D("1770.00"), D(0)),
                 "L2": LineExposure("L2", D("100.00"))}
    [breach] = headroom_breaches([("L1", D("1180.01")), ("L2", D("100.00"))], exposures)
    assert breach.figures("USD") == {
        "invoice_line_id": "L1", "requested": "1180.01", "headroom": "1180.00", "line_amount": "2950.00",
        "credited": "0.00", "pending_credit": "1770.00", "disputed": "0.00", "currency": "USD"}


def test_breaches_keep_the_order_of_the_request():
    exposures = {i: LineExposure(i, D("10.00")) for i in ("a", "b", "c")}
    breaches = headroom_breaches([("c", D("11")), ("a", D("10")), ("b", D("12"))], exposures)
    assert [b.exposure.invoice_line_id for b in breaches] == ["c", "b"]


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)


@given(amount=cents, credited=cents, pending=cents, disputed=cents, asked=cents)
def test_an_amount_is_refused_exactly_when_it_is_above_the_headroom(amount, credited, pending, disputed, asked):
    exposure = LineExposure("L1", amount, credited, pending, disputed)
    refused = headroom_breaches([("L1", asked)], {"L1": exposure}) != []
    # granted, the line never holds more than its amount
    assert refused is (credited + pending + disputed + asked > amount)
