"""Configuration and delivery events through the handler table over in-memory ports: only a newer state_version
is kept, a kept state re-checks the deliveries held for it, and a delivery batch keeps the highest revision."""

from __future__ import annotations

import pytest

from invoice_svc.app.handlers import HANDLERS
from invoice_svc.app.handlers.when_campaign_delivered_record_in_ledger import distinct_revisions
from mediabill_common.consumer import Event, PermanentError
from mediabill_common.testing.kafka import envelope_for


def product_event(code: str, version: int, *, status: str = "live", event_type: str = "ProductActivated") -> Event:
    state = {"code": code, "name": code, "channel": "onsite", "pricing_model": "cpm", "status": status,
             "rate_cards": [{"effective_from": "2025-01-01", "currency": "USD", "price": "5.00"}]}
    return Event.of(envelope_for(event_type, {"state_version": version, "product": state}, subject=code))


def account_event(account_id: str, version: int = 1) -> Event:
    state = {"account_id": account_id, "type": "advertiser", "legal_name": account_id, "currency": "USD"}
    return Event.of(envelope_for("BillingAccountUpserted", {"state_version": version, "account": state},
                                 subject=account_id))


def delivered(delivery_id: str, revision: int = 0, *, product_code: str = "P", impressions: int = 1000) -> Event:
    data = {"delivery_id": delivery_id, "revision": revision, "source_system": "pio", "account_id": "A",
            "contract_id": None, "campaign_id": "C", "line_item_id": "L1", "campaign_name": None,
            "product_code": product_code, "delivery_date": "2025-03-10", "impressions": impressions,
            "viewable_impressions": 0, "clicks": 0, "conversions": 0, "third_party_impressions": None,
            "media_cost": None, "currency": None}
    return Event.of(envelope_for("CampaignDelivered", data, subject=delivery_id))


async def deliver(unit, *events: Event) -> None:
    await HANDLERS.batch_handlers["CampaignDelivered"](list(events), unit)


def test_a_batch_keeps_each_revision_once_and_the_highest_of_each_delivery_as_current():
    events = [delivered("D1", 1, impressions=10), delivered("D1", 0, impressions=5), delivered("D2", 0),
              delivered("D1", 1, impressions=99), delivered("D1", 2, impressions=20)]
    records, latest = distinct_revisions(events)
    assert [(r.delivery_id, r.revision, r.impressions) for r in records] == [
        ("D1", 1, 10), ("D1", 0, 5), ("D2", 0, 1000), ("D1", 2, 20)]
    assert {d: (records[i].revision, records[i].impressions) for d, i in latest.items()} == {
        ("pio", "D1"): (2, 20), ("pio", "D2"): (0, 1000)}
    assert records[0].event_id == events[0].id and records[0].event_source == events[0].envelope.source


async def test_a_delivery_of_unknown_configuration_is_held_with_one_exception_per_cause_under_shared_locks(unit):
    await deliver(unit, delivered("D1"), delivered("D1", 1))
    record, kinds = unit.ledger.of("D1")
    assert (record.revision, kinds) == (1, ("unknown_product", "unknown_account"))
    assert sorted(x.kind for x in unit.exceptions.unresolved()) == ["unknown_account", "unknown_product"]
    assert unit.config.calls == [("lock_shared", ["P"], ["A"], []), ("load",)]


async def test_a_newer_state_is_kept_and_heals_the_deliveries_held_for_it_an_older_one_changes_nothing(unit):
    await deliver(unit, delivered("D1"))
    await HANDLERS.dispatch(account_event("A"), unit)
    await HANDLERS.dispatch(product_event("P", 2), unit)
    assert unit.ledger.of("D1")[1] == ()
    assert unit.exceptions.unresolved() == []
    assert {x.resolved_by for x in unit.exceptions.queue.values()} == {"system"}
    assert len(unit.published_of("BillingExceptionResolved")) == 2

    assert unit.ledger.rechecks == [("account", "A"), ("product", "P")]

    unit.config.calls.clear()
    await HANDLERS.dispatch(product_event("P", 1, status="retired", event_type="ProductRetired"), unit)
    await HANDLERS.dispatch(product_event("P", 2, status="retired", event_type="ProductRetired"), unit)
    assert unit.config.states[("product", "P")][1].status == "live"
    # the exclusive lock comes before the read of the held state and the write; a state not kept re-checks nothing
    assert unit.config.calls == [("lock_exclusive", "product", "P"), ("load",), ("save", "product", "P", 1),
                                 ("lock_exclusive", "product", "P"), ("load",), ("save", "product", "P", 2)]
    assert unit.ledger.rechecks == [("account", "A"), ("product", "P")]


async def test_a_re_check_raises_only_causes_new_to_the_record(unit):
    await deliver(unit, delivered("D1"))
    [account_missing] = unit.exceptions.unresolved("unknown_account")
    await unit.exceptions.mark_resolved(account_missing.exception_id, "ana", "account is being set up", None)

    await HANDLERS.dispatch(product_event("P", 1, status="retired"), unit)
    assert unit.ledger.of("D1")[1] == ("product_not_live", "unknown_account")
    # unknown_product resolved itself; product_not_live is new; the unknown_account an analyst closed stays closed
    assert [x.kind for x in unit.exceptions.unresolved()] == ["product_not_live"]


def from_source(delivery_id: str, source_system: str, revision: int = 0) -> Event:
    event = delivered(delivery_id, revision, impressions=1000 + revision)
    data = event.envelope.data | {"source_system": source_system}
    return Event.of(envelope_for("CampaignDelivered", data, subject=delivery_id))


async def test_a_second_source_for_a_day_is_kept_unbilled_with_source_conflict_and_stays_so_when_revised(unit):
    await HANDLERS.dispatch(account_event("A"), unit)
    await HANDLERS.dispatch(product_event("P", 1), unit)
    await deliver(unit, from_source("PIO-1", "pio"), from_source("OMS-1", "oms"))
    await deliver(unit, from_source("OMS-1", "oms", 1), from_source("PIO-1", "pio", 1))
    assert {d: (r.revision, kinds) for (_, d), (r, kinds) in unit.ledger.current.items()} == {
        "PIO-1": (1, ()), "OMS-1": (1, ("source_conflict",))}
    [conflict] = unit.exceptions.unresolved()
    assert (conflict.kind, conflict.delivery_id, conflict.refs["billing_delivery_id"]) == (
        "source_conflict", "OMS-1", "PIO-1")
    await HANDLERS.dispatch(product_event("P", 2), unit)  # a re-check of held records does not release it
    assert unit.ledger.of("OMS-1", "oms")[1] == ("source_conflict",)
    assert [x.kind for x in unit.exceptions.unresolved()] == ["source_conflict"]


def source_registered(system: str, event_source: str) -> Event:
    registered = {"state_version": 1, "delivery_source": {"source_system": system, "name": system.upper(),
                                                          "event_sources": [event_source]}}
    return Event.of(envelope_for("DeliverySourceRegistered", registered, subject=system,
                                 source="/mediabill/product-config-svc"))


async def test_a_batch_holding_a_registered_systems_delivery_from_another_source_is_refused_whole(unit):
    await HANDLERS.dispatch(source_registered("oms", "/ad-platforms/oms"), unit)
    await HANDLERS.dispatch(source_registered("pio", "/ad-platforms/"), unit)
    refused = from_source("OMS-1", "oms")  # envelope_for's default source is not /ad-platforms/oms
    with pytest.raises(PermanentError, match="/ad-platforms/oms"):
        await deliver(unit, from_source("PIO-1", "pio"), refused)
    assert unit.ledger.current == {}  # the runner then applies the batch event by event and dead-letters OMS-1
    await deliver(unit, from_source("PIO-1", "pio"))
    assert list(unit.ledger.current) == [("pio", "PIO-1")]


async def test_once_a_source_is_registered_an_unregistered_source_system_is_refused(unit):
    await deliver(unit, from_source("GAM-1", "gam"))  # nobody registered anything yet: accepted
    await HANDLERS.dispatch(source_registered("pio", "/ad-platforms/"), unit)
    with pytest.raises(PermanentError, match="'gam' is not a registered delivery source"):
        await deliver(unit, from_source("GAM-2", "gam"))
    assert list(unit.ledger.current) == [("gam", "GAM-1")]


def product_billed_from(version: int, *entries: tuple[str, str]) -> Event:
    event = product_event("P", version, event_type="ProductUpdated")
    state = event.envelope.data["product"] | {
        "billing_sources": [{"source_system": s, "effective_from": d} for s, d in entries]}
    return Event.of(envelope_for("ProductUpdated", {"state_version": version, "product": state}, subject="P"))


async def test_under_billing_sources_the_other_source_is_shadow_never_billed_and_raises_nothing(unit):
    await HANDLERS.dispatch(account_event("A"), unit)
    await HANDLERS.dispatch(product_billed_from(1, ("oms", "2025-03-01")), unit)
    await deliver(unit, from_source("PIO-1", "pio"), from_source("OMS-1", "oms"))
    assert (unit.ledger.of("PIO-1")[1], ("pio", "PIO-1") in unit.ledger.shadow) == ((), True)
    assert (unit.ledger.of("OMS-1", "oms")[1], ("oms", "OMS-1") in unit.ledger.shadow) == ((), False)
    assert unit.exceptions.queue == {}
    # a product change that re-checks held records leaves the shadow record shadow
    await HANDLERS.dispatch(product_billed_from(2, ("oms", "2025-03-01")), unit)
    assert unit.ledger.shadow == {("pio", "PIO-1")} and unit.exceptions.queue == {}


async def test_setting_billing_sources_settles_a_source_conflict_without_re_ingesting(unit):
    await HANDLERS.dispatch(account_event("A"), unit)
    await HANDLERS.dispatch(product_event("P", 1), unit)
    await deliver(unit, from_source("PIO-1", "pio"))
    await deliver(unit, from_source("OMS-1", "oms"))
    [conflict] = unit.exceptions.unresolved()
    assert (conflict.kind, conflict.delivery_id) == ("source_conflict", "OMS-1")

    await HANDLERS.dispatch(product_billed_from(2, ("oms", "2025-03-10")), unit)  # OMS bills from the day on
    assert (unit.ledger.of("OMS-1", "oms")[1], unit.ledger.shadow) == ((), {("pio", "PIO-1")})
    assert unit.exceptions.unresolved() == []
    assert {x.resolved_by for x in unit.exceptions.queue.values()} == {"system"}

    # Entries removed: the first-seen rule is back, and the day keeps the source that was billing it (OMS);
    # the other source is held with source_conflict again.
    await HANDLERS.dispatch(product_billed_from(3), unit)
    assert (unit.ledger.of("OMS-1", "oms")[1], unit.ledger.of("PIO-1")[1]) == ((), ("source_conflict",))
    assert unit.ledger.shadow == set()
    assert [x.delivery_id for x in unit.exceptions.unresolved()] == ["PIO-1"]


async def test_the_same_delivery_id_from_two_sources_is_two_deliveries_each_revised_within_its_source(unit):
    await HANDLERS.dispatch(account_event("A"), unit)
    await HANDLERS.dispatch(product_event("P", 1), unit)
    await deliver(unit, from_source("D-7", "pio"), from_source("D-7", "oms"), from_source("D-7", "oms", 2))
    await deliver(unit, from_source("D-7", "pio", 1), from_source("D-7", "oms", 1))  # OMS's 1 is below its 2
    assert {k: r.revision for k, (r, _) in unit.ledger.current.items()} == {("pio", "D-7"): 1, ("oms", "D-7"): 2}
    assert sorted(unit.ledger.revisions) == [("oms", "D-7", 0), ("oms", "D-7", 1), ("oms", "D-7", 2),
                                             ("pio", "D-7", 0), ("pio", "D-7", 1)]
    # OMS reports PIO's day under the same id: a second source, held with source_conflict, not a restatement
    assert (unit.ledger.of("D-7")[1], unit.ledger.of("D-7", "oms")[1]) == ((), ("source_conflict",))
    [conflict] = unit.exceptions.unresolved()
    assert (conflict.source_system, conflict.delivery_id, conflict.dedupe_key) == (
        "oms", "D-7", "delivery:oms:D-7:source_conflict")
