"""Billability rules on plain values (no I/O)."""

from datetime import date
from decimal import Decimal

from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from mediabill_common.events.config_state import AccountState, ContractState, ProductState

PRODUCT = ProductState.model_validate({"code": "P", "name": "P", "channel": "onsite", "pricing_model": "cpm",
                                       "status": "live", "rate_cards": [
                                           {"effective_from": "2025-01-01", "currency": "USD", "price": "4.00"},
                                           {"effective_from": "2025-03-15", "currency": "USD", "price": "5.00"}]})
ACCOUNT = AccountState.model_validate({"account_id": "A", "type": "advertiser", "legal_name": "A",
                                       "currency": "USD"})
CONTRACT = ContractState.model_validate({"contract_id": "C", "advertiser_account_id": "A",
                                         "bill_to_account_id": "A", "currency": "USD", "flight_start": "2025-03-01",
                                         "flight_end": "2025-03-31", "lines": [{"line_item_id": "L9",
                                                                                 "product_code": "P"}]})
CONFIG = BillingConfig(products={"P": PRODUCT}, accounts={"A": ACCOUNT}, contracts={"C": CONTRACT})


def record(**over) -> DeliveryRecord:
    values = dict(delivery_id="D", revision=0, source_system="pio", account_id="A", contract_id="C",
                  campaign_id="CMP-1", line_item_id="L1", campaign_name=None, product_code="P",
                  delivery_date=date(2025, 3, 20), impressions=250_000, viewable_impressions=0, clicks=0,
                  conversions=0, third_party_impressions=None, media_cost=None, currency=None,
                  event_source="/ad-platforms/test", event_id="E-1")
    return DeliveryRecord(**(values | over))


def test_a_complete_record_is_billable():
    assert check_billability(record(), CONFIG).billable


def test_exposure_uses_the_rate_card_version_in_effect_on_the_service_date():
    held = record(contract_id="Z")  # unknown contract: held back, priced on the rate card
    assert check_billability(held, CONFIG).amount_at_risk == Decimal("1250.00")
    assert check_billability(held._replace(delivery_date=date(2025, 3, 2)), CONFIG).amount_at_risk == \
        Decimal("1000.00")


def test_a_billable_record_holds_nothing_back():
    verdict = check_billability(record(), CONFIG)
    assert (verdict.amount_at_risk, verdict.quantity) == (None, None)


def test_self_serve_record_needs_the_advertiser_account():
    verdict = check_billability(record(contract_id=None, account_id="B"), CONFIG)
    assert verdict.kinds == ("unknown_account",)


def test_flight_bounds_are_inclusive():
    assert check_billability(record(delivery_date=date(2025, 3, 31)), CONFIG).billable
    assert check_billability(record(delivery_date=date(2025, 4, 1)), CONFIG).kinds == ("outside_flight",)


def test_several_causes_are_all_reported():
    verdict = check_billability(record(product_code="X", contract_id="Z", media_cost=Decimal("3"), currency="EUR"),
                                BillingConfig(accounts={"A": ACCOUNT}))
    assert verdict.kinds == ("unknown_product", "unknown_contract", "currency_mismatch")
