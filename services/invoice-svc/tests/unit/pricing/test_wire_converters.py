"""Bill runs read config states from their stored wire form without re-validating them, and compute line ids
without `uuid.uuid5`: both must give exactly what the validated, uuid5-based forms give."""

import uuid
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_svc.domain.pricing import (
    bill_to_from_state,
    bill_to_from_wire,
    terms_from_state,
    terms_from_wire,
    terms_in_effect,
    terms_in_effect_of_wire,
)
from invoice_svc.domain.pricing.draft import LINE_ID_NAMESPACE, line_id
from mediabill_common.events.config_state import AccountState, ContractState

amounts = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("99999"), places=2).map(str))
pcts = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("100"), places=3).map(str))
days = st.dates().map(lambda d: d.replace(year=2024 + d.year % 2)).map(str)
lines = st.lists(st.fixed_dictionaries({
    "line_item_id": st.sampled_from(["L1", "L2", "L3"]), "product_code": st.sampled_from(["DISPLAY", "VIDEO"]),
    "rate": amounts, "budget": amounts, "fee": amounts}), max_size=3)
term_changes = st.one_of(
    st.just({}), st.just({"contract_id": "IO-9", "bill_to_account_id": "AGY-9"}),  # identity: never applied
    st.fixed_dictionaries({}, optional={"discount_pct": pcts, "agency_commission_pct": pcts, "lines": lines,
                                        "billing_basis": st.sampled_from(["first_party", "third_party"]),
                                        "po_number": st.one_of(st.none(), st.just("PO-2"))}))
versions = st.lists(st.fixed_dictionaries({"amendment_no": st.integers(0, 5), "effective_from": days,
                                           "terms": term_changes}), max_size=3)


def _contract(**fields) -> dict:
    state = {"contract_id": "IO-7", "status": "active", "advertiser_account_id": "ADV-1",
             "bill_to_account_id": "AGY-1", "currency": "USD", "flight_start": "2024-01-01",
             "flight_end": "2025-12-31"} | fields
    return ContractState.model_validate(state).model_dump(mode="json")  # as the read model stores it


@settings(max_examples=200, deadline=None)
@given(amendment=st.integers(0, 9), discount=pcts, commission=pcts, threshold=pcts, contract_lines=lines,
       history=versions, period=st.sampled_from(["2023-12", "2024-03", "2024-12", "2025-06"]),
       terms_days=st.one_of(st.none(), st.integers(0, 365)))
def test_terms_read_from_the_wire_form_equal_the_terms_of_the_validated_state(
        amendment, discount, commission, threshold, contract_lines, history, period, terms_days):
    stored = _contract(amendment_no=amendment, discount_pct=discount, agency_commission_pct=commission,
                       discrepancy_threshold_pct=threshold, lines=contract_lines, versions=history,
                       payment_terms_days=terms_days)
    validated = ContractState.model_validate(stored)
    assert terms_from_wire(stored) == terms_from_state(validated)
    assert terms_in_effect_of_wire(stored, period) == terms_in_effect(validated, period)


def test_a_stored_state_without_newer_optional_fields_takes_the_model_defaults():
    stored = {"contract_id": "IO-1", "advertiser_account_id": "ADV", "bill_to_account_id": "AGY",
              "currency": "USD", "flight_start": "2024-01-01", "flight_end": "2024-12-31",
              "lines": [{"line_item_id": "L1", "product_code": "DISPLAY"}]}
    assert terms_from_wire(stored) == terms_from_state(ContractState.model_validate(stored))
    account = {"account_id": "AGY", "type": "agency", "legal_name": "Agency", "currency": "EUR"}
    assert bill_to_from_wire(account) == bill_to_from_state(AccountState.model_validate(account))


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(["agency", "advertiser"]), terms_days=st.integers(0, 365),
       rates=st.dictionaries(st.sampled_from(["VAT", "GST", "HST"]),
                             st.decimals(min_value=D("0"), max_value=D("100"), places=4).map(str), max_size=3))
def test_bill_to_read_from_the_wire_form_equals_the_bill_to_of_the_validated_state(kind, terms_days, rates):
    stored = AccountState.model_validate({
        "account_id": "AGY-1", "type": kind, "legal_name": "Agency One", "currency": "GBP",
        "payment_terms_days": terms_days, "tax_rates": rates}).model_dump(mode="json")
    assert bill_to_from_wire(stored) == bill_to_from_state(AccountState.model_validate(stored))


@settings(max_examples=300, deadline=None)
@given(seed=st.text(), parts=st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=5))
def test_line_ids_are_the_uuid5_of_the_seed_and_line_identity(seed, parts):
    try:
        expected = str(uuid.uuid5(LINE_ID_NAMESPACE, "|".join([seed, *(str(p) for p in parts)])))
    except UnicodeEncodeError:  # lone surrogates: neither form can name them
        with pytest.raises(UnicodeEncodeError):
            line_id(seed, *parts)
        return
    assert line_id(seed, *parts) == expected
