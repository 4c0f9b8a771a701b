"""Which source bills a service day once a product names its billing sources (oversight.md O1): the source in
effect on the date bills, every other source's records are shadow (never billed, no exception); before the first
entry, and without any, the first source seen bills. Plain values."""

from datetime import date, timedelta

from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from invoice_svc.domain.ledger.sources import (
    BillingSource,
    first_changed_day,
    source_in_effect,
    source_role,
)
from mediabill_common.events.config_state import AccountState, BillingSourceEntry, ProductState

PIO_FROM, OMS_FROM, GAM_FROM = date(2025, 1, 1), date(2025, 3, 15), date(2025, 5, 1)
TWO_CUTOVERS = [BillingSourceEntry(source_system="pio", effective_from=PIO_FROM),
                BillingSourceEntry(source_system="oms", effective_from=OMS_FROM),
                BillingSourceEntry(source_system="gam", effective_from=GAM_FROM)]
DAY = timedelta(days=1)


def record(**over) -> DeliveryRecord:
    """A self-serve record of line item L1 from PIO (billable under `config`)."""
    values = dict(delivery_id="D", revision=0, source_system="pio", account_id="A", contract_id=None,
                  campaign_id="CMP-1", line_item_id="L1", campaign_name=None, product_code="P",
                  delivery_date=date(2025, 3, 20), impressions=250_000, viewable_impressions=0, clicks=0,
                  conversions=0, third_party_impressions=None, media_cost=None, currency=None,
                  event_source="/ad-platforms/test", event_id="E-1")
    return DeliveryRecord(**(values | over))


def config(billing_sources: list[BillingSourceEntry]) -> BillingConfig:
    product = ProductState.model_validate({
        "code": "P", "name": "P", "channel": "onsite", "pricing_model": "cpm", "status": "live",
        "rate_cards": [{"effective_from": "2025-01-01", "currency": "USD", "price": "5.00"}],
        "billing_sources": [e.model_dump(mode="json") for e in billing_sources]})
    account = AccountState.model_validate({"account_id": "A", "type": "advertiser", "legal_name": "A",
                                           "currency": "USD"})
    return BillingConfig(products={"P": product}, accounts={"A": account})


def test_the_source_in_effect_changes_on_each_cutover_day():
    assert source_in_effect(TWO_CUTOVERS, PIO_FROM - DAY) is None  # before the first entry: nobody is named
    assert source_in_effect(TWO_CUTOVERS, PIO_FROM) == "pio"
    assert source_in_effect(TWO_CUTOVERS, OMS_FROM - DAY) == "pio"  # the day before the cutover
    assert source_in_effect(TWO_CUTOVERS, OMS_FROM) == "oms"  # the day of
    assert source_in_effect(TWO_CUTOVERS, OMS_FROM + DAY) == "oms"  # after
    assert source_in_effect(TWO_CUTOVERS, GAM_FROM - DAY) == "oms"  # the second cutover
    assert source_in_effect(TWO_CUTOVERS, GAM_FROM) == "gam"
    assert source_in_effect(list(reversed(TWO_CUTOVERS)), GAM_FROM + 30 * DAY) == "gam"  # order does not matter
    assert source_in_effect([], OMS_FROM) is None


def test_around_the_cutover_one_source_bills_and_the_other_is_shadow():
    first_seen_pio = BillingSource("pio", "P1")
    for day, billing, shadow in ((OMS_FROM - DAY, "pio", "oms"), (OMS_FROM, "oms", "pio"),
                                 (OMS_FROM + DAY, "oms", "pio"), (GAM_FROM, "gam", "oms")):
        assert source_role(record(source_system=billing, delivery_date=day), TWO_CUTOVERS, first_seen_pio) == "bills"
        assert source_role(record(source_system=shadow, delivery_date=day), TWO_CUTOVERS, first_seen_pio) \
            == "shadow"


def test_before_the_first_entry_and_without_entries_the_first_source_seen_bills():
    early = PIO_FROM - DAY
    assert source_role(record(source_system="oms", delivery_date=early), TWO_CUTOVERS, BillingSource("pio", "P"))\
        == "conflict"
    assert source_role(record(source_system="oms"), [], BillingSource("pio", "P")) == "conflict"
    assert source_role(record(source_system="oms"), [], None) == "bills"
    assert source_role(record(), [], BillingSource("pio", "P")) == "bills"


def test_a_shadow_record_is_never_billable_and_raises_nothing_even_when_it_fails_other_checks():
    cfg = config(TWO_CUTOVERS)
    shadow = check_billability(record(source_system="pio", delivery_date=OMS_FROM, contract_id="UNKNOWN"), cfg,
                               BillingSource("pio", "P1"))
    assert (shadow.billable, shadow.shadow, shadow.kinds, shadow.amount_at_risk) == (False, True, (), None)
    billing = check_billability(record(source_system="oms", delivery_date=OMS_FROM), cfg, BillingSource("pio", "P1"))
    assert (billing.billable, billing.shadow, billing.kinds) == (True, False, ())
    # the billing source's own records still fail what they fail
    held = check_billability(record(source_system="oms", delivery_date=OMS_FROM, contract_id="UNKNOWN"), cfg, None)
    assert (held.billable, held.kinds) == (False, ("unknown_contract",))


def test_the_first_changed_day_is_the_earliest_entry_added_removed_or_repointed():
    pio, oms, gam = TWO_CUTOVERS
    assert first_changed_day([], [pio, oms]) == PIO_FROM
    assert first_changed_day([pio], [pio, oms]) == OMS_FROM
    assert first_changed_day([pio, oms, gam], [pio, oms]) == GAM_FROM
    assert first_changed_day([pio, oms], [pio, oms.model_copy(update={"source_system": "gam"})]) == OMS_FROM
    assert first_changed_day([pio, oms], [oms, pio]) is None
