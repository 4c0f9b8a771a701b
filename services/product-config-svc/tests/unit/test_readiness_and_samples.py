"""The go-live checklist and the sample deliveries priced for it."""

from datetime import date

import pytest

from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.events.config_state import ContractState, ProductState
from product_config_svc.domain.readiness import SimulationOutcome, checklist, failing_reasons
from product_config_svc.domain.samples import sample_simulation_request

OK = SimulationOutcome(line_count=2, total="100.00", currency="USD")


def product(**overrides) -> ProductState:
    fields = {"code": "P1", "name": "P", "channel": "onsite", "pricing_model": "cpm",
              "gl_revenue_account": "4010", "tax_code": "ADV", "invoice_description": "Display"}
    return ProductState(**{**fields, **overrides})


def items(p: ProductState, outcome: SimulationOutcome = OK) -> dict[str, tuple[bool, str]]:
    return {i.item: (i.passed, i.reason) for i in checklist(p, outcome)}


def test_cpm_without_rate_card_or_contract_pricing_fails_pricing_item():
    passed, reason = items(product())["pricing_model"]
    assert not passed and "rate card" in reason and "contract_priced" in reason


@pytest.mark.parametrize("overrides", [
    {"pricing_model": "auction_cpc"}, {"pricing_model": "flat_fee"}, {"contract_priced": True},
    {"rate_cards": [{"effective_from": "2026-01-01", "currency": "USD", "price": "6"}]},
])
def test_pricing_item_passes_when_complete_for_its_kind(overrides):
    assert items(product(**overrides))["pricing_model"][0]


def test_every_missing_field_is_its_own_failing_item_with_a_reason():
    result = items(product(gl_revenue_account=None, tax_code=None, invoice_description=" "),
                   SimulationOutcome(error="invoice-svc unreachable: ConnectError"))
    assert {k for k, (ok, _) in result.items() if not ok} == {
        "pricing_model", "gl_revenue_account", "tax_code", "invoice_description", "price_simulation"}
    assert result["price_simulation"][1] == "invoice-svc unreachable: ConnectError"


def test_malformed_gl_account_fails_even_if_stored():
    assert not items(product(gl_revenue_account="GL-1"))["gl_revenue_account"][0]


def test_simulation_exceptions_and_empty_invoices_fail():
    exc = items(product(), SimulationOutcome(exceptions=("missing_rate (no rate)",), line_count=1))
    assert exc["price_simulation"] == (False, "the simulation raised billing exceptions: missing_rate (no rate)")
    assert not items(product(), SimulationOutcome(line_count=0))["price_simulation"][0]


def test_failing_reasons_name_the_item():
    assert failing_reasons(checklist(product(tax_code=None), OK)) == [
        "pricing_model: cpm needs a rate card, or must be marked contract_priced so every contract carries the rate",
        "tax_code: no tax code: invoices could not apply the bill-to's tax rate"]


@pytest.mark.parametrize(("model", "field"), [("cpm", "impressions"), ("vcpm", "viewable_impressions"),
                                              ("cpc", "clicks"), ("cpa", "conversions")])
def test_sample_deliveries_carry_the_figures_the_model_bills(model, field):
    body = sample_simulation_request(product(pricing_model=model, contract_priced=True), date(2026, 3, 30))
    deliveries = [CampaignDelivered.model_validate(d) for d in body["deliveries"]]
    assert len(deliveries) == 2  # 30 and 31 March: the sample stays inside one period
    assert all(getattr(d, field) > 0 for d in deliveries)
    assert body["period"] == "2026-03"
    contract = ContractState.model_validate(body["contract"])
    assert str(contract.lines[0].rate) == "5.00"
    assert body["product"]["status"] == "live"


def test_auction_sample_is_self_serve_with_media_cost_in_the_rate_card_currency():
    body = sample_simulation_request(product(pricing_model="auction_cpc"), date(2026, 3, 1))
    assert body["contract"] is None
    assert all(d["media_cost"] and d["currency"] == "USD" and d["contract_id"] is None for d in body["deliveries"])


def test_sample_uses_latest_rate_card_currency_and_date():
    p = product(rate_cards=[{"effective_from": "2026-01-01", "currency": "USD", "price": "6"},
                            {"effective_from": "2026-07-01", "currency": "EUR", "price": "5"}])
    body = sample_simulation_request(p, date(2026, 3, 1))
    assert body["bill_to"]["currency"] == "EUR" and body["period"] == "2026-07"
    assert body["bill_to"]["tax_rates"] == {"ADV": "10"}
    assert body["contract"]["lines"][0]["rate"] is None  # priced from the rate card


def test_flat_fee_sample_contract_carries_the_fee_over_the_month():
    body = sample_simulation_request(product(pricing_model="flat_fee"), date(2026, 2, 10))
    contract = body["contract"]
    assert contract["lines"][0]["fee"] == "3000.00"
    assert (contract["flight_start"], contract["flight_end"]) == ("2026-02-01", "2026-02-28")
