from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabill_common.money import (
    CurrencyMismatch,
    Money,
    minor_units,
    round_half_up_int,
    round_money,
    sum_money,
)

amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False,
                      allow_infinity=False)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP"])


def test_half_cent_rounds_away_from_zero_both_signs():
    assert round_money(Decimal("0.005"), "USD") == Decimal("0.01")
    assert round_money(Decimal("-0.005"), "USD") == Decimal("-0.01")
    assert round_money(Decimal("2.675"), "USD") == Decimal("2.68")
    assert round_money(Decimal("0.0049999"), "USD") == Decimal("0.00")


def test_minor_units_follow_iso_4217():
    assert minor_units("USD") == 2
    assert minor_units("JPY") == 0
    assert minor_units("KWD") == 3
    assert round_money(Decimal("100.5"), "JPY") == Decimal("101")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


def test_money_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "USD") * 0.5  # type: ignore[operator]
    with pytest.raises(ValueError, match="not a supported ISO 4217 currency"):
        Money.of("1", "XXX")


def test_arithmetic_across_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "USD") + Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatch):
        sorted([Money.of("1", "USD"), Money.of("1", "EUR")])


def test_wire_form_is_a_decimal_string_at_minor_unit():
    assert Money.of("1234.5", "USD").as_str() == "1234.50"
    assert Money.of("7", "JPY").as_str() == "7"
    assert Money.of("-0.125", "USD").as_str() == "-0.13"


def test_quantities_round_half_up_to_whole_units():
    assert round_half_up_int(Decimal("333333.5")) == 333334
    assert round_half_up_int(Decimal("333333.49")) == 333333


@given(amounts, currencies)
def test_rounding_is_idempotent_and_within_half_a_minor_unit(amount, currency):
    rounded = round_money(amount, currency)
    assert round_money(rounded, currency) == rounded
    assert abs(rounded - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2


@given(amounts, currencies)
def test_rounding_is_symmetric_around_zero(amount, currency):
    assert round_money(-amount, currency) == -round_money(amount, currency)


@given(st.lists(amounts, max_size=20), currencies)
def test_sum_of_rounded_amounts_is_exact(values, currency):
    items = [Money(round_money(v, currency), currency) for v in values]
    assert sum_money(items, currency).amount == sum((m.amount for m in items), Decimal(0))


@given(amounts, amounts, currencies)
def test_addition_and_subtraction_are_inverse(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y - y).amount == x.amount
