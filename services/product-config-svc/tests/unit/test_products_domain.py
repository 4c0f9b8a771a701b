"""Pure rules of ad products and rate cards."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabill_common.events.config_state import ProductState, RateCard
from product_config_svc.domain import products as rules
from product_config_svc.domain.errors import InvalidConfiguration, RuleViolation


def product(**overrides) -> ProductState:
    fields = {"code": "DISPLAY-CPM", "name": "Onsite display", "channel": "onsite", "pricing_model": "cpm",
              "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": "Display impressions"}
    return ProductState(**{**fields, **overrides})


def card(effective_from: str, price: str = "6.00", currency: str = "USD", tiers=None) -> RateCard:
    return RateCard(effective_from=date.fromisoformat(effective_from), currency=currency, price=price,
                    tiers=tiers or [])


@pytest.mark.parametrize("gl", ["4010", "40100000", "401000-RMN", "4010-A"])
def test_well_formed_gl_accounts_are_accepted(gl):
    assert rules.product_problems(product(gl_revenue_account=gl)) == []


@pytest.mark.parametrize("gl", ["401", "401000000", "4010-", "4010-rmn", "GL4010", "4010-TOOLONG"])
def test_malformed_gl_account_is_refused_naming_the_field_and_format(gl):
    with pytest.raises(InvalidConfiguration) as exc:
        rules.validate_product(product(gl_revenue_account=gl))
    assert exc.value.problems[0].field == "gl_revenue_account"
    assert "4-8 digits" in exc.value.problems[0].message


def test_only_rate_priced_models_can_be_contract_priced():
    problems = rules.product_problems(product(pricing_model="auction_cpc", contract_priced=True))
    assert [p.field for p in problems] == ["contract_priced"]


def test_rate_card_versions_are_append_only_per_currency():
    p = rules.add_rate_card(product(), card("2026-01-01"), today=date(2026, 1, 1))
    p = rules.add_rate_card(p, card("2026-01-01", currency="EUR"), today=date(2026, 1, 1))
    with pytest.raises(RuleViolation, match="after that date"):
        rules.add_rate_card(p, card("2026-01-01", price="7.00"), today=date(2026, 1, 1))
    with pytest.raises(RuleViolation, match="2026-01-01"):
        rules.add_rate_card(p, card("2025-12-01"), today=date(2025, 1, 1))


def test_live_product_never_gets_a_back_dated_rate_card():
    live = product(status="live", rate_cards=[card("2026-01-01")])
    with pytest.raises(RuleViolation, match="in the past"):
        rules.add_rate_card(live, card("2026-02-01"), today=date(2026, 3, 1))
    assert rules.add_rate_card(live, card("2026-03-01"), today=date(2026, 3, 1)).rate_cards[-1].price == Decimal(
        "6.00")


@pytest.mark.parametrize("model", ["auction_cpc", "flat_fee"])
def test_products_not_priced_by_rate_card_refuse_one(model):
    with pytest.raises(RuleViolation, match=model):
        rules.add_rate_card(product(pricing_model=model), card("2026-01-01"), today=date(2026, 1, 1))


def test_contract_priced_product_refuses_a_rate_card():
    with pytest.raises(RuleViolation, match="contract priced"):
        rules.add_rate_card(product(contract_priced=True), card("2026-01-01"), today=date(2026, 1, 1))


def test_tiers_must_increase_and_end_open():
    bad = RateCard(effective_from=date(2026, 1, 1), currency="USD",
                   tiers=[{"up_to": 1000, "price": "6"}, {"up_to": 500, "price": "5"}, {"up_to": 9000, "price": "4"}])
    fields = [p.field for p in rules.rate_card_problems(bad)]
    assert fields == ["tiers[1].up_to", "tiers[2].up_to"]
    good = RateCard(effective_from=date(2026, 1, 1), currency="USD",
                    tiers=[{"up_to": 1000, "price": "6"}, {"up_to": None, "price": "5"}])
    assert rules.rate_card_problems(good) == []


def test_price_on_a_date_is_the_latest_version_effective_by_then():
    p = product(rate_cards=[card("2026-01-01", "6.00"), card("2026-03-15", "6.50"), card("2026-06-01", "7.00")])
    assert rules.price_on(p, date(2025, 12, 31)) is None
    assert rules.price_on(p, date(2026, 3, 14)).price == Decimal("6.00")
    assert rules.price_on(p, date(2026, 3, 15)).price == Decimal("6.50")
    assert rules.price_on(p, date(2027, 1, 1)).price == Decimal("7.00")


def test_price_on_needs_a_currency_when_the_product_has_several():
    p = product(rate_cards=[card("2026-01-01"), card("2026-01-01", "5.50", "EUR")])
    with pytest.raises(InvalidConfiguration):
        rules.price_on(p, date(2026, 2, 1))
    assert rules.price_on(p, date(2026, 2, 1), "EUR").price == Decimal("5.50")


@given(st.lists(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), min_size=1, max_size=8,
                unique=True), st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 1, 1)))
def test_price_on_never_uses_a_version_from_after_the_date(starts, day):
    p = product(rate_cards=[card(d.isoformat(), str(i + 1)) for i, d in enumerate(sorted(starts))])
    found = rules.price_on(p, day)
    earlier = [d for d in starts if d <= day]
    assert (found is None) == (not earlier)
    if found:
        assert found.effective_from == max(earlier)


def test_lifecycle_is_draft_live_retired():
    with pytest.raises(RuleViolation, match="not ready"):
        rules.activate(product(), ["tax_code: missing"])
    live = rules.activate(product(), [])
    assert live.status == "live"
    with pytest.raises(RuleViolation, match="draft"):
        rules.activate(live, [])
    with pytest.raises(RuleViolation, match="IO-1"):
        rules.retire(live, ["IO-1"])
    assert rules.retire(live, []).status == "retired"
    with pytest.raises(RuleViolation):
        rules.retire(product(), [])


def test_live_product_keeps_its_pricing_model_and_stays_billable():
    live = product(status="live", rate_cards=[card("2026-01-01")])
    with pytest.raises(RuleViolation, match="pricing_model"):
        rules.update_product(live, {"pricing_model": "cpc"})
    with pytest.raises(RuleViolation, match="tax code"):
        rules.update_product(live, {"tax_code": None})
    assert rules.update_product(live, {"name": "Display"}).name == "Display"


def test_update_that_makes_a_field_invalid_is_a_validation_error():
    with pytest.raises(InvalidConfiguration) as exc:
        rules.update_product(product(), {"name": None})
    assert exc.value.problems[0].field == "name"
