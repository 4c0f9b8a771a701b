"""Which source bills a line item's day (oversight.md O1, before products name their billing sources): plain values."""

from datetime import date

from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from invoice_svc.domain.ledger.sources import (
    BillingSource,
    ServiceDay,
    billing_sources,
    conflicting_source,
    first_seen,
    source_refusal,
)
from mediabill_common.events.config_state import AccountState, ProductState

DAY = ServiceDay("L1", date(2025, 3, 20))
CONFIG = BillingConfig(
    products={"P": ProductState.model_validate({
        "code": "P", "name": "P", "channel": "onsite", "pricing_model": "cpm", "status": "live",
        "rate_cards": [{"effective_from": "2025-01-01", "currency": "USD", "price": "5.00"}]})},
    accounts={"A": AccountState.model_validate({"account_id": "A", "type": "advertiser", "legal_name": "A",
                                                "currency": "USD"})})


def record(**over) -> DeliveryRecord:
    """A self-serve record of line item L1 on DAY from PIO (billable under CONFIG)."""
    values = dict(delivery_id="D", revision=0, source_system="pio", account_id="A", contract_id=None,
                  campaign_id="CMP-1", line_item_id="L1", campaign_name=None, product_code="P",
                  delivery_date=DAY.delivery_date, impressions=250_000, viewable_impressions=0, clicks=0,
                  conversions=0, third_party_impressions=None, media_cost=None, currency=None,
                  event_source="/ad-platforms/test", event_id="E-1")
    return DeliveryRecord(**(values | over))


def test_the_first_source_seen_in_arrival_order_bills_each_day():
    arriving = [record(delivery_id="O1", source_system="oms"), record(delivery_id="P1"),
                record(delivery_id="P2", delivery_date=date(2025, 3, 21)), record(delivery_id="O2", source_system="oms",
                                                                                  delivery_date=date(2025, 3, 21))]
    assert first_seen(arriving) == {DAY: BillingSource("oms", "O1"),
                                    ServiceDay("L1", date(2025, 3, 21)): BillingSource("pio", "P2")}


def test_the_source_the_ledger_holds_for_a_day_wins_over_the_batch():
    held = {DAY: BillingSource("pio", "P0")}
    arriving = [record(delivery_id="O1", source_system="oms"), record(delivery_id="O2", source_system="oms",
                                                                      line_item_id="L2")]
    assert billing_sources(held, arriving) == {DAY: BillingSource("pio", "P0"),
                                               ServiceDay("L2", DAY.delivery_date): BillingSource("oms", "O2")}


def test_a_record_conflicts_only_with_another_source():
    assert conflicting_source(record(), None) is None  # nobody claimed the day: it is the record's own
    assert conflicting_source(record(delivery_id="P9"), BillingSource("pio", "P1")) is None  # same source, other id
    assert conflicting_source(record(source_system="oms"), BillingSource("pio", "P1")) == BillingSource("pio", "P1")


def test_a_second_source_is_held_with_source_conflict_and_names_the_billing_source():
    verdict = check_billability(record(source_system="oms"), CONFIG, BillingSource("pio", "P1"))
    assert (verdict.billable, verdict.kinds, verdict.billing_source) == (False, ("source_conflict",), ("pio", "P1"))
    # what it would bill is still priced: 250,000 impressions at the 5.00 rate card in effect
    assert (verdict.amount_at_risk, verdict.quantity, verdict.unit) == (1250, 250_000, "impressions")


def test_the_billing_source_and_revisions_within_it_stay_billable():
    assert check_billability(record(), CONFIG, BillingSource("pio", "D")).billable
    assert check_billability(record(revision=3), CONFIG, BillingSource("pio", "D")).billable


def test_a_conflict_adds_to_the_configuration_causes():
    verdict = check_billability(record(source_system="oms", contract_id="Z"), CONFIG, BillingSource("pio", "P1"))
    assert verdict.kinds == ("unknown_contract", "source_conflict")


REGISTERED = {"oms": ("/ad-platforms/oms", "/oms/")}


def test_a_registered_system_is_accepted_only_from_its_event_sources():
    def refusal(event_source: str) -> str | None:
        return source_refusal("oms", event_source, REGISTERED, any_registered=True)

    assert refusal("/ad-platforms/oms") is None
    assert refusal("/oms/eu-1") is None  # a source ending in / allows those below it
    refused = refusal("/ad-platforms/oms-copy")
    assert refused is not None and "'/ad-platforms/oms-copy'" in refused and "'oms'" in refused
    assert refusal("/oms/") is not None  # the prefix itself is not below it


def test_a_system_nobody_registered_is_accepted_only_while_no_system_is_registered():
    assert source_refusal("pio", "/ad-platforms/anything", {}, any_registered=False) is None
    refused = source_refusal("pio", "/ad-platforms/anything", REGISTERED, any_registered=True)
    assert refused is not None and "'pio' is not a registered delivery source" in refused
