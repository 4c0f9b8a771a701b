"""Decimals on the wire: ASCII digits only, and bounded so that they fit the money columns and real prices."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mediabill_common.events.config_state import AccountState, ContractState, ContractVersion, RateCard
from mediabill_common.events.types import (
    AMOUNT_BOUND,
    BOOKED_BOUND,
    PCT_BOUND,
    RATE_BOUND,
    Amount,
    BookedAmount,
    DecimalStr,
    Pct,
    Rate,
)
from mediabill_common.money import Money, parse_decimal

NOT_ASCII_DECIMALS = ["١.٠٠", "१२.५०", " 1.00", "1.00 ", "\t1.00", "1.00\n", "1_000.00", "1E+3", "+1.00",
                      "NaN", "Infinity", "1,000.00", ""]


@pytest.mark.parametrize("written", NOT_ASCII_DECIMALS)
def test_money_is_accepted_only_as_ascii_decimal_strings(written):
    for wire_type in (DecimalStr, Amount, Rate, BookedAmount, Pct):
        with pytest.raises(ValidationError, match="ASCII digits"):
            TypeAdapter(wire_type).validate_python(written)
    with pytest.raises(ValueError, match="not a decimal number in ASCII digits"):
        parse_decimal(written)
    with pytest.raises(ValueError, match="not a decimal number in ASCII digits"):
        Money.of(written, "USD")


def test_plain_ascii_decimals_still_parse():
    assert TypeAdapter(DecimalStr).validate_python("-1234.50") == Decimal("-1234.50")
    assert TypeAdapter(Amount).validate_json('"0.005"') == Decimal("0.005")
    assert parse_decimal("007.10") == Decimal("7.10")
    assert Money.of("12.5", "EUR").as_str() == "12.50"


@pytest.mark.parametrize(("wire_type", "inside", "outside"), [
    (DecimalStr, ["-99999999999999.999999", "99999999999999"], ["100000000000000", "-100000000000000.00"]),
    (Rate, ["999999999.999999", "0.000001", "6.00"], ["1000000000", "1" + "0" * 30, "6.0000001", "-1"]),
    (BookedAmount, ["9999999999999.99", "20000.00"], ["10000000000000", "1.1234567", "-0.01"]),
    (Pct, ["100", "100.000000", "0", "8.875", "99.999999"], ["100.000001", "101", "1000", "-0", "1.1234567"]),
])
def test_configured_numbers_are_bounded(wire_type, inside, outside):
    adapter = TypeAdapter(wire_type)
    for written in inside:
        assert adapter.validate_python(written) == Decimal(written)
    for written in outside:
        with pytest.raises(ValidationError):
            adapter.validate_python(written)


def test_bounds_hold_for_numbers_handed_in_by_code_too():
    with pytest.raises(ValidationError, match="below 1,000,000,000"):
        TypeAdapter(Rate).validate_python(Decimal("1E+30"))
    with pytest.raises(ValidationError, match="at most 100"):
        TypeAdapter(Pct).validate_python(Decimal("100.5"))
    with pytest.raises(ValidationError, match="in magnitude"):
        TypeAdapter(DecimalStr).validate_python(10 ** 20)
    assert TypeAdapter(Rate).validate_python(Decimal("6.50")) == Decimal("6.50")


def test_config_states_refuse_out_of_range_rates_fees_budgets_and_percentages():
    contract = {"contract_id": "IO-1", "advertiser_account_id": "A", "bill_to_account_id": "A", "currency": "USD",
                "flight_start": "2025-01-01", "flight_end": "2025-12-31",
                "lines": [{"line_item_id": "L1", "product_code": "P", "rate": "6.00", "budget": "20000.00"}]}
    ContractState.model_validate(contract)
    for line in ({"rate": "1" + "0" * 30}, {"budget": "1" + "0" * 13}, {"fee": "1" + "0" * 13}):
        with pytest.raises(ValidationError, match=r"lines\.0\."):
            ContractState.model_validate({**contract, "lines": [{**contract["lines"][0], **line}]})
    with pytest.raises(ValidationError, match="discount_pct"):
        ContractState.model_validate({**contract, "discount_pct": "150"})
    with pytest.raises(ValidationError, match="price"):
        RateCard.model_validate({"effective_from": "2025-01-01", "currency": "USD", "price": "1" + "0" * 30})
    with pytest.raises(ValidationError, match=r"tiers\.0\.price"):
        RateCard.model_validate({"effective_from": "2025-01-01", "currency": "USD",
                                 "tiers": [{"up_to": None, "price": "1" + "0" * 30}]})
    with pytest.raises(ValidationError, match="tax_rates"):
        AccountState.model_validate({"account_id": "A", "type": "advertiser", "legal_name": "A", "currency": "USD",
                                     "tax_rates": {"VAT": "1000"}})


def test_an_amendment_setting_an_out_of_range_rate_is_refused_though_its_terms_are_free_form():
    version = {"amendment_no": 1, "effective_from": "2025-03-01",
               "terms": {"lines": [{"line_item_id": "L1", "product_code": "P", "rate": "1" + "0" * 30}]}}
    with pytest.raises(ValidationError, match=r"terms\s.*lines\.0\.rate: must be"):
        ContractVersion.model_validate(version)
    kept = ContractVersion.model_validate({**version, "terms": {"discount_pct": "7.5", "note": "Q2"}})
    assert kept.terms == {"discount_pct": "7.5", "note": "Q2"}  # stays the dict it was sent as


@pytest.mark.parametrize("bound", [AMOUNT_BOUND, RATE_BOUND, BOOKED_BOUND, PCT_BOUND])
@given(written=st.from_regex(r"\A-?[0-9]{1,16}(\.[0-9]{1,8})?\Z"))
def test_schema_pattern_says_exactly_what_the_validator_says(bound, written):
    """A producer that validates against the published JSON Schema is never surprised by a dead letter."""
    matches_schema = re.search(bound.pattern, written) is not None  # JSON Schema patterns are searches
    try:
        bound.check(parse_decimal(written))
        within = True
    except ValueError:
        within = False
    if written.startswith("-") and Decimal(written) == 0 and not bound.signed:
        within = False  # "-0" is not written unsigned, though its value is within
    assert matches_schema == within, written
