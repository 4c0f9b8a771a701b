"""Rule 18: the one definition of an invoice line's headroom that dispute-svc and adjustment-svc both check."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabill_common.headroom import LineExposure, headroom_breaches
from mediabill_common.money import CurrencyMismatch, Money


def usd(amount: str | D) -> Money:
    return Money(D(amount), "USD")


def exposure(line_id: str, amount: str | D, credited: str | D = "0", pending: str | D = "0",
             disputed: str | D = "0") -> LineExposure:
    return LineExposure(line_id, usd(amount), usd(credited), usd(pending), usd(disputed))


def test_headroom_is_amount_less_credited_pending_credit_and_open_disputes():
    assert exposure("L1", "2950.00", "100.00", "1770.00", "600.00").headroom == usd("480.00")
    assert exposure("L1", "2950.00").headroom == usd("2950.00")


def test_headroom_goes_negative_when_more_was_booked_than_the_line_holds():
    # billing-rules.md rule 18, issue 17: a 1,770.00 credit approved over 2,600.00 of disputes on 2,950.00
    assert exposure("L1", "2950.00", "1770.00", "0", "2600.00").headroom == usd("-1420.00")


def test_a_breach_names_the_line_and_every_term_of_its_headroom():
    exposures = {"L1": exposure("L1", "2950.00", "0", "1770.00", "0"), "L2": exposure("L2", "100.00")}
    [breach] = headroom_breaches([("L1", usd("1180.01")), ("L2", usd("100.00"))], exposures)
    assert breach.figures() == {
        "invoice_line_id": "L1", "requested": "1180.01", "headroom": "1180.00", "line_amount": "2950.00",
        "credited": "0.00", "pending_credit": "1770.00", "disputed": "0.00", "currency": "USD"}


def test_breaches_keep_the_order_of_the_request():
    exposures = {i: exposure(i, "10.00") for i in ("a", "b", "c")}
    breaches = headroom_breaches([("c", usd("11")), ("a", usd("10")), ("b", usd("12"))], exposures)
    assert [b.exposure.invoice_line_id for b in breaches] == ["c", "b"]


def test_a_line_and_an_amount_in_different_currencies_cannot_be_compared():
    with pytest.raises(CurrencyMismatch):
        LineExposure("L1", usd("10.00"), usd("0"), Money.zero("EUR"), usd("0"))
    with pytest.raises(CurrencyMismatch):
        headroom_breaches([("L1", Money.of("1.00", "EUR"))], {"L1": exposure("L1", "10.00")})


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)


@given(amount=cents, credited=cents, pending=cents, disputed=cents, asked=cents)
def test_an_amount_is_refused_exactly_when_it_is_above_the_headroom(amount, credited, pending, disputed, asked):
    line = exposure("L1", amount, credited, pending, disputed)
    refused = headroom_breaches([("L1", usd(asked))], {"L1": line}) != []
    # granted, the line never holds more than its amount
    assert refused is (credited + pending + disputed + asked > amount)
