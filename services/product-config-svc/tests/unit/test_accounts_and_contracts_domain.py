"""Pure rules of billing accounts and contracts: parties, terms, lifecycle, amendments."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from product_config_svc.domain import contracts as rules
from product_config_svc.domain.accounts import update_account, validate_account
from product_config_svc.domain.contract_terms import contract_problems
from product_config_svc.domain.errors import InvalidConfiguration, RuleViolation

ADV = AccountState(account_id="ADV", type="advertiser", legal_name="Acme", currency="USD")
SUP = AccountState(account_id="SUP", type="supplier", legal_name="Brand Co", currency="USD")
AGY = AccountState(account_id="AGY", type="agency", legal_name="Agency", currency="USD", po_required=True,
                   represented_advertisers=["ADV"])
ACCOUNTS = {a.account_id: a for a in (ADV, SUP, AGY)}
PRODUCTS = {p.code: p for p in (
    ProductState(code="CPM", name="Display", channel="onsite", pricing_model="cpm", status="live",
                 rate_cards=[{"effective_from": "2026-01-01", "currency": "USD", "price": "6"}]),
    ProductState(code="CP", name="Video", channel="offsite", pricing_model="cpm", contract_priced=True,
                 status="live"),
    ProductState(code="FEE", name="Endcap", channel="in_store", pricing_model="flat_fee", status="live"),
    ProductState(code="AUC", name="Sponsored", channel="onsite", pricing_model="auction_cpc", status="draft"),
)}


def contract(**overrides) -> ContractState:
    fields = {"contract_id": "IO-1", "advertiser_account_id": "ADV", "bill_to_account_id": "AGY",
              "currency": "USD", "flight_start": "2026-01-01", "flight_end": "2026-12-31", "po_number": "PO-1",
              "agency_commission_pct": "15", "lines": [{"line_item_id": "L1", "product_code": "CPM"}]}
    return ContractState.model_validate({**fields, **overrides})


def fields(problems) -> list[str]:
    return [p.field for p in problems]


def test_agency_may_represent_only_existing_advertising_accounts():
    agency = AGY.model_copy(update={"represented_advertisers": ["ADV", "NOPE", "AGY", "SUP"]})
    with pytest.raises(InvalidConfiguration) as exc:
        validate_account(agency, ACCOUNTS)
    assert fields(exc.value.problems) == ["represented_advertisers[1]", "represented_advertisers[2]"]


def test_only_agencies_represent_advertisers():
    with pytest.raises(InvalidConfiguration, match="only agencies"):
        validate_account(ADV.model_copy(update={"represented_advertisers": ["SUP"]}), ACCOUNTS)


def test_account_with_open_contracts_keeps_currency_and_represented_advertisers():
    open_contracts = [{"contract_id": "IO-1", "advertiser_account_id": "ADV", "bill_to_account_id": "AGY"}]
    with pytest.raises(RuleViolation, match="currency"):
        update_account(AGY, {"currency": "EUR"}, ACCOUNTS, open_contracts)
    with pytest.raises(RuleViolation, match="IO-1"):
        update_account(AGY, {"represented_advertisers": []}, ACCOUNTS, open_contracts)
    assert update_account(AGY, {"payment_terms_days": 45}, ACCOUNTS, open_contracts).payment_terms_days == 45


def test_valid_agency_contract_has_no_problems():
    assert contract_problems(contract(), ACCOUNTS, PRODUCTS) == []


def test_bill_to_agency_must_represent_the_advertiser():
    assert fields(contract_problems(contract(advertiser_account_id="SUP"), ACCOUNTS, PRODUCTS)) == [
        "bill_to_account_id"]


def test_currency_po_and_commission_rules_are_reported_together():
    problems = contract_problems(contract(currency="EUR", po_number=None), ACCOUNTS, PRODUCTS)
    assert fields(problems) == ["currency", "po_number", "lines[0].rate"]
    direct = contract(bill_to_account_id="ADV", po_number=None)
    assert fields(contract_problems(direct, ACCOUNTS, PRODUCTS)) == ["agency_commission_pct"]


def test_lines_need_what_their_pricing_model_bills():
    lines = [{"line_item_id": "L1", "product_code": "CP"}, {"line_item_id": "L2", "product_code": "FEE"},
             {"line_item_id": "L3", "product_code": "AUC", "rate": "1.00"},
             {"line_item_id": "L3", "product_code": "GONE"}]
    assert fields(contract_problems(contract(lines=lines), ACCOUNTS, PRODUCTS)) == [
        "lines[0].rate", "lines[1].fee", "lines[2].rate", "lines[3].line_item_id", "lines[3].product_code"]


def test_discrepancy_tolerance_defaults_to_ten_percent_and_versions_start_at_flight_start():
    c = rules.new_contract(contract(billing_basis="discrepancy_tolerance"), ACCOUNTS, PRODUCTS)
    assert c.discrepancy_threshold_pct == Decimal("10")
    assert c.versions[0].amendment_no == 0 and c.versions[0].effective_from == date(2026, 1, 1)
    assert c.versions[0].terms["discrepancy_threshold_pct"] == "10"
    assert set(c.versions[0].terms) == {"discount_pct", "agency_commission_pct", "billing_basis",
                                        "discrepancy_threshold_pct", "payment_terms_days", "po_number", "lines"}


def test_activation_needs_live_products_and_unique_line_items():
    draft = rules.new_contract(contract(lines=[{"line_item_id": "L9", "product_code": "AUC"}]), ACCOUNTS, PRODUCTS)
    with pytest.raises(RuleViolation, match="AUC' is draft"):
        rules.activate(draft, PRODUCTS, {})
    ok = rules.new_contract(contract(), ACCOUNTS, PRODUCTS)
    with pytest.raises(RuleViolation, match="L1 \\(active contract IO-9\\)"):
        rules.activate(ok, PRODUCTS, {"L1": "IO-9"})
    active = rules.activate(ok, PRODUCTS, {})
    assert rules.end(active).status == "ended"
    with pytest.raises(RuleViolation):
        rules.end(ok)


def amendment(effective: str, **changes) -> rules.Amendment:
    return rules.Amendment(effective_from=date.fromisoformat(effective), changes=changes, reason="renegotiated",
                           recorded_by="alice", recorded_at=datetime(2026, 4, 2, tzinfo=UTC))


def active() -> ContractState:
    return rules.activate(rules.new_contract(contract(), ACCOUNTS, PRODUCTS), PRODUCTS, {})


def test_amendment_adds_a_version_with_the_full_terms_from_its_date():
    amended = rules.amend(active(), amendment("2026-05-01", discount_pct="5"), ACCOUNTS, PRODUCTS, [], {})
    assert amended.amendment_no == 1 and amended.discount_pct == Decimal("5")
    assert [v.amendment_no for v in amended.versions] == [0, 1]
    latest = amended.versions[1]
    assert latest.effective_from == date(2026, 5, 1) and latest.terms["discount_pct"] == "5"
    assert latest.terms["agency_commission_pct"] == "15" and latest.model_extra["reason"] == "renegotiated"
    assert amended.versions[0].terms["discount_pct"] is None


@pytest.mark.parametrize("effective", ["2026-03-31", "2026-03-01", "2026-02-10"])
def test_amendment_inside_or_before_an_invoiced_period_is_refused_naming_it(effective):
    invoiced = [rules.InvoicedPeriod("2026-02", "INV-2026-00000001"),
                rules.InvoicedPeriod("2026-03", "INV-2026-00000002")]
    with pytest.raises(RuleViolation) as exc:
        rules.amend(active(), amendment(effective, discount_pct="5"), ACCOUNTS, PRODUCTS, invoiced, {})
    assert "period 2026-03" in exc.value.detail and "INV-2026-00000002" in exc.value.detail
    assert "2026-04-01" in exc.value.detail
    assert rules.amend(active(), amendment("2026-04-01", discount_pct="5"), ACCOUNTS, PRODUCTS, invoiced, {})


def test_amendment_keeps_lines_and_order_of_versions():
    c = active()
    with pytest.raises(InvalidConfiguration, match="cannot be removed"):
        rules.amend(c, amendment("2026-05-01", lines=[{"line_item_id": "L2", "product_code": "CPM"}]),
                    ACCOUNTS, PRODUCTS, [], {})
    later = rules.amend(c, amendment("2026-06-01", discount_pct="1"), ACCOUNTS, PRODUCTS, [], {})
    with pytest.raises(RuleViolation, match="2026-06-01"):
        rules.amend(later, amendment("2026-05-01", discount_pct="2"), ACCOUNTS, PRODUCTS, [], {})
    with pytest.raises(InvalidConfiguration, match="flight"):
        rules.amend(c, amendment("2027-01-01", discount_pct="2"), ACCOUNTS, PRODUCTS, [], {})
    with pytest.raises(InvalidConfiguration, match="at least one term"):
        rules.amend(c, amendment("2026-05-01"), ACCOUNTS, PRODUCTS, [], {})


def test_only_active_contracts_are_amended():
    draft = rules.new_contract(contract(), ACCOUNTS, PRODUCTS)
    with pytest.raises(RuleViolation, match="PATCH"):
        rules.amend(draft, amendment("2026-05-01", discount_pct="5"), ACCOUNTS, PRODUCTS, [], {})
