"""Which contract version prices a period, payment terms and due dates (rules 13 and 16)."""

from datetime import date
from decimal import Decimal as D

import pytest

from invoice_svc.domain.pricing import due_date, period_bounds, terms_in_effect
from mediabill_common.events.config_state import ContractState


def _contract(versions=()):
    return ContractState.model_validate({
        "contract_id": "IO-7", "amendment_no": 2, "status": "active", "advertiser_account_id": "ADV",
        "bill_to_account_id": "AGY", "currency": "USD", "flight_start": "2024-01-01", "flight_end": "2024-12-31",
        "discount_pct": "12", "agency_commission_pct": "15",
        "lines": [{"line_item_id": "L1", "product_code": "DISPLAY", "rate": "7.00", "budget": "900.00"}],
        "versions": list(versions)})


FULL_V0 = {"amendment_no": 0, "effective_from": "2024-01-01",
           "terms": {"discount_pct": "5", "lines": [{"line_item_id": "L1", "product_code": "DISPLAY",
                                                     "rate": "6.00", "budget": "500.00"}]}}
V1 = {"amendment_no": 1, "effective_from": "2024-04-10", "terms": {"discount_pct": "10"}}
V2 = {"amendment_no": 2, "effective_from": "2024-07-01",
      "terms": {"discount_pct": "12", "lines": [{"line_item_id": "L1", "product_code": "DISPLAY", "rate": "7.00",
                                                 "budget": "900.00"}]}}


def test_without_versions_the_contract_state_is_the_terms(pricing_kit):
    terms = terms_in_effect(_contract(), "2024-03")
    assert terms.discount_pct == D("12") and terms.line("L1").rate == D("7.00") and terms.amendment_no == 2


@pytest.mark.parametrize(("period", "discount", "rate", "amendment"), [
    ("2024-03", "5", "6.00", 0), ("2024-04", "10", "6.00", 1), ("2024-06", "10", "6.00", 1),
    ("2024-07", "12", "7.00", 2), ("2024-12", "12", "7.00", 2)])
def test_latest_version_effective_by_the_period_end_applies(period, discount, rate, amendment):
    terms = terms_in_effect(_contract([FULL_V0, V1, V2]), period)
    assert (terms.discount_pct, terms.line("L1").rate, terms.amendment_no) == (D(discount), D(rate), amendment)


def test_amendment_effective_mid_month_governs_that_whole_month():
    assert terms_in_effect(_contract([FULL_V0, V1]), "2024-04").discount_pct == D("10")


def test_partial_amendment_keeps_the_terms_it_did_not_set():
    terms = terms_in_effect(_contract([FULL_V0, V1]), "2024-05")
    assert terms.line("L1").budget == D("500.00") and terms.agency_commission_pct == D("15")


def test_versions_are_applied_in_date_order_whatever_their_list_order():
    assert terms_in_effect(_contract([V2, V1, FULL_V0]), "2024-05").discount_pct == D("10")


def test_period_before_every_version_takes_the_earliest():
    assert terms_in_effect(_contract([V1, V2]), "2024-01").discount_pct == D("10")


def test_an_amendment_cannot_change_who_is_billed():
    v = {"amendment_no": 1, "effective_from": "2024-01-01", "terms": {"bill_to_account_id": "OTHER"}}
    assert terms_in_effect(_contract([v]), "2024-02").bill_to_account_id == "AGY"


def test_due_date_takes_contract_terms_then_account_then_30(pricing_kit):
    k = pricing_kit
    issued = date(2024, 7, 3)
    assert due_date(issued, k.terms(payment_terms_days=45), k.bill_to(payment_terms_days=60)) == date(2024, 8, 17)
    assert due_date(issued, k.terms(), k.bill_to(payment_terms_days=60)) == date(2024, 9, 1)
    assert due_date(issued, None, k.bill_to(payment_terms_days=10)) == date(2024, 7, 13)
    assert due_date(issued) == date(2024, 8, 2)
    assert due_date(issued, k.terms(payment_terms_days=0)) == issued


def test_period_bounds_are_the_calendar_month():
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2023-12") == (date(2023, 12, 1), date(2023, 12, 31))
