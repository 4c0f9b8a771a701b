"""Revenue at risk: what a held-back record would bill, priced by the engine, or its quantity when it cannot be."""

from datetime import date
from decimal import Decimal

from invoice_svc.domain.billing.exposure import exposure_of, value_at_risk
from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from mediabill_common.events.config_state import AccountState, ContractState, ProductState


def _product(code: str, model: str = "cpm", *, price: str | None = "4.00", tiers=(), contract_priced=False):
    cards = [] if price is None and not tiers else [
        {"effective_from": "2025-01-01", "currency": "USD", "price": price,
         "tiers": [{"up_to": up_to, "price": p} for up_to, p in tiers]}]
    return ProductState.model_validate({"code": code, "name": code, "channel": "onsite", "pricing_model": model,
                                        "status": "live", "contract_priced": contract_priced, "rate_cards": cards})


ACCOUNT = AccountState.model_validate({"account_id": "A", "type": "advertiser", "legal_name": "A",
                                       "currency": "USD"})


def _contract(*lines: dict, basis: str = "first_party") -> ContractState:
    return ContractState.model_validate({
        "contract_id": "C", "advertiser_account_id": "A", "bill_to_account_id": "A", "currency": "USD",
        "flight_start": "2025-03-01", "flight_end": "2025-03-31", "billing_basis": basis, "lines": list(lines)})


def _record(**over) -> DeliveryRecord:
    values = dict(delivery_id="D", revision=0, source_system="pio", account_id="A", contract_id="C",
                  campaign_id="CMP-1", line_item_id="L1", campaign_name=None, product_code="P",
                  delivery_date=date(2025, 3, 20), impressions=250_000, viewable_impressions=0, clicks=40,
                  conversions=0, third_party_impressions=None, media_cost=None, currency=None,
                  event_source="/ad-platforms/test", event_id="E-1")
    return DeliveryRecord(**(values | over))


def test_unknown_product_is_priced_as_the_product_its_contract_line_books_at_the_negotiated_rate():
    config = BillingConfig(products={"P": _product("P")}, accounts={"A": ACCOUNT},
                           contracts={"C": _contract({"line_item_id": "L1", "product_code": "P", "rate": "6.00"})})
    verdict = check_billability(_record(product_code="P-TYPO"), config)
    assert verdict.kinds == ("unknown_product",)
    assert (verdict.amount_at_risk, verdict.currency, verdict.quantity, verdict.unit) == (
        Decimal("1500.00"), "USD", 250_000, "impressions")


def test_unknown_product_without_a_booking_is_unpriced_with_its_impressions():
    config = BillingConfig(products={"P": _product("P")}, accounts={"A": ACCOUNT}, contracts={"C": _contract()})
    verdict = check_billability(_record(product_code="POPUP-DOOH", line_item_id="LI-POPUP"), config)
    assert verdict.kinds == ("unknown_product",)
    assert (verdict.amount_at_risk, verdict.quantity, verdict.unit, verdict.currency) == (
        None, 250_000, "impressions", "USD")


def test_missing_rate_is_unpriced_with_the_quantity_in_the_products_unit():
    config = BillingConfig(products={"S": _product("S", "cpc", price=None, contract_priced=True)},
                           accounts={"A": ACCOUNT}, contracts={"C": _contract({"line_item_id": "L1",
                                                                                "product_code": "S"})})
    verdict = check_billability(_record(product_code="S"), config)
    assert verdict.kinds == ("missing_rate",)
    assert (verdict.amount_at_risk, verdict.quantity, verdict.unit) == (None, 40, "clicks")


def test_held_back_record_takes_the_tier_its_quantity_reaches_all_units():
    tiered = _product("T", price=None, tiers=[(100_000, "10.00"), (None, "8.00")])
    config = BillingConfig(products={"T": tiered}, accounts={"A": ACCOUNT}, contracts={})
    verdict = check_billability(_record(product_code="T", contract_id="Z"), config)  # unknown contract
    assert verdict.kinds == ("unknown_contract",)
    assert (verdict.amount_at_risk, verdict.quantity) == (Decimal("2000.00"), 250_000)  # 250,000 at 8.00


def test_third_party_basis_without_counts_is_unpriced():
    config = BillingConfig(products={"P": _product("P")}, accounts={"A": ACCOUNT},
                           contracts={"C": _contract({"line_item_id": "L1", "product_code": "P"},
                                                     basis="third_party")})
    verdict = check_billability(_record(), config)
    assert verdict.kinds == ("missing_third_party_counts",)
    assert (verdict.amount_at_risk, verdict.quantity, verdict.unit) == (None, 250_000, "impressions")


def test_held_back_kinds_count_at_risk_over_delivery_and_informational_kinds_do_not():
    assert [exposure_of(k) for k in ("unknown_product", "missing_rate", "budget_exhausted",
                                     "restatement_after_issue", "overpayment", "negative_invoice")] == [
        "revenue_at_risk", "revenue_at_risk", "over_delivery", "informational", "informational", "informational"]
    assert value_at_risk("unknown_product", Decimal("8986.31")) == Decimal("8986.31")
    assert value_at_risk("budget_exhausted", Decimal("4370000.00")) is None
    assert value_at_risk("unknown_product", None) is None
