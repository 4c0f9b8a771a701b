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


def test_money_refuses_non_finite_amounts_and_booleans():
    for value in (Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN")):
        with pytest.raises(ValueError, match="finite"):
            Money(value, "USD")
    with pytest.raises(TypeError):
        Money(True, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "USD") * True


def test_zero_is_at_the_currency_minor_unit():
    assert format(Money.zero("USD").amount, "f") == "0.00"
    assert format(Money.zero("JPY").amount, "f") == "0"
    assert format(Money.zero("KWD").amount, "f") == "0.000"


def test_sum_in_another_currency_raises():
    with pytest.raises(CurrencyMismatch):
        sum_money([Money.of("1", "EUR")], "USD")


amounts_small = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False,
                            allow_infinity=False)
factors = st.decimals(min_value=Decimal("-1e4"), max_value=Decimal("1e4"), places=4, allow_nan=False,
                      allow_infinity=False)
two_currencies = st.lists(currencies, min_size=2, max_size=2, unique=True)


@given(amounts, amounts, two_currencies)
def test_every_combination_across_currencies_raises(a, b, pair):
    x, y = Money(a, pair[0]), Money(b, pair[1])
    for combine in (lambda: x + y, lambda: x - y, lambda: x < y, lambda: x <= y, lambda: x > y, lambda: x >= y):
        with pytest.raises(CurrencyMismatch):
            combine()
    assert x != y


@given(amounts, amounts, amounts, currencies)
def test_addition_is_commutative_and_associative_with_zero_as_identity(a, b, c, currency):
    x, y, z = Money(a, currency), Money(b, currency), Money(c, currency)
    assert x + y == y + x
    assert (x + y) + z == x + (y + z)
    assert x + Money.zero(currency) == x
    assert x + (-x) == Money.zero(currency)
    assert (x - y).currency == currency


@given(amounts_small, amounts_small, factors, currencies)
def test_multiplication_by_a_rate_distributes_and_keeps_every_digit(a, b, rate, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) * rate == x * rate + y * rate
    assert (x * rate).amount == a * rate
    assert rate * x == x * rate


@given(amounts, currencies)
def test_rounded_is_round_money_and_idempotent(amount, currency):
    rounded = Money(amount, currency).rounded()
    assert rounded.amount == round_money(amount, currency)
    assert rounded.rounded() == rounded
    assert rounded.in_minor_units()
    assert abs(rounded - Money(amount, currency)) <= Money(Decimal(1).scaleb(-minor_units(currency)) / 2, currency)


@given(st.lists(amounts, max_size=20), currencies)
def test_sum_does_not_depend_on_order(values, currency):
    items = [Money(v, currency) for v in values]
    assert sum_money(items, currency) == sum_money(list(reversed(items)), currency)
    assert sum_money(sorted(items), currency) == sum_money(items, currency)


@given(amounts, amounts, currencies)
def test_order_follows_the_amounts(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x < y) == (a < b)
    assert (x >= y) == (a >= b)
    assert max(x, y).amount == max(a, b)


def test_formatting_with_a_spec_gives_the_exact_amount_and_without_one_the_money():
    money = Money.of("1234.505", "USD")
    assert format(money, "f") == "1234.505"  # exact, as the wire and the columns carry it
    assert f"{money}" == str(money) == "1234.51 USD"
    assert format(Money.of("-0.5", "JPY"), "f") == "-0.5"
