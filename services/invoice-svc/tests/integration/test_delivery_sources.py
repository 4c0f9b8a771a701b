"""One line item's day is billed from one delivery source (oversight.md O1): without `billing_sources` on the
product, the first source seen for a (line item, service date) bills it; another source's record for the same day
is kept, not billed, and raises `source_conflict`. A registered system's deliveries come only from its sources, and
a system nobody registered is refused (the tests register theirs: invoice_svc.testing.sources)."""

from __future__ import annotations

import json

import pytest

from invoice_svc.testing.billing import (
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    line,
    product,
)
from invoice_svc.testing.events import delivered
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, EXCEPTIONS_TOPIC, dlq_topic
from mediabill_common.testing.kafka import end_offsets, envelope_for, flush_outbox, read_from, read_topic

pytestmark = pytest.mark.integration


async def _one_line_contract(feed, u: str) -> dict:
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(feed, products=[product(p)], accounts=[account(adv)],
                    contracts=[contract(f"C-{u}", advertiser=adv, bill_to=adv,
                                        lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "5.00"}])])
    return {"account_id": adv, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": p}


async def _ledger(billing, **filters: str) -> dict[str, dict]:
    response = await billing.client.get("/v1/deliveries", params=filters | {"limit": 200}, headers=READER)
    assert response.status_code == 200, response.text
    return {d["delivery_id"]: d for d in response.json()["items"]}


async def test_same_line_item_day_from_two_sources_is_billed_once_and_raises_source_conflict(
        invoice_feed, billing, kafka_bootstrap, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"PIO-{unique}", day="2025-03-10", impressions=100_000, **base)])
    await deliver(invoice_feed, [delivery(f"OMS-{unique}", day="2025-03-10", impressions=100_000,
                                          source_system="oms", **base)])
    await billing.bill("2025-03", "issue", [adv])
    march = await billing.issued_invoice(adv, "2025-03")
    assert (line(march, "usage")["quantity"], march["total"]) == (100_000, "500.00")  # not 200,000 / 1,000.00

    ledger = await _ledger(billing, account_id=adv)
    kept = ledger[f"OMS-{unique}"]  # stored, never lost, but not billed
    assert (kept["billable"], kept["exception_kinds"], kept["impressions"]) == (False, ["source_conflict"], 100_000)
    assert (ledger[f"PIO-{unique}"]["billable"], ledger[f"PIO-{unique}"]["exception_kinds"]) == (True, [])
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert (conflict["status"], conflict["delivery_id"]) == ("open", f"OMS-{unique}")
    assert conflict["refs"]["source_system"] == "oms" and conflict["refs"]["billing_source_system"] == "pio"
    assert conflict["refs"]["billing_delivery_id"] == f"PIO-{unique}"
    assert (conflict["quantity"], conflict["unit"], conflict["amount_at_risk"]) == (100_000, "impressions", 500)
    await flush_outbox(billing.ctx)
    [(event, _)] = await read_topic(kafka_bootstrap, EXCEPTIONS_TOPIC, lambda v, r: bool(v) and v.get(
        "data", {}).get("exception_id") == conflict["exception_id"], count=1)
    assert event["type"] == "BillingExceptionRaised" and event["data"]["kind"] == "source_conflict"


async def test_in_one_batch_the_first_arrival_bills_and_its_revisions_keep_billing(invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [  # one batch: OMS first, then PIO for the same day, then an OMS revision
        delivery(f"OMS-{unique}", day="2025-02-03", impressions=60_000, source_system="oms", **base),
        delivery(f"PIO-{unique}", day="2025-02-03", impressions=90_000, **base),
        delivery(f"OMS-{unique}", revision=1, day="2025-02-03", impressions=80_000, source_system="oms", **base)])
    await billing.bill("2025-02", "issue", [adv])
    february = await billing.issued_invoice(adv, "2025-02")
    assert line(february, "usage")["quantity"] == 80_000  # OMS bills the day, at its latest revision
    ledger = await _ledger(billing, account_id=adv)
    assert (ledger[f"OMS-{unique}"]["billable"], ledger[f"PIO-{unique}"]["exception_kinds"]) == (
        True, ["source_conflict"])
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert (conflict["delivery_id"], conflict["refs"]["billing_source_system"]) == (f"PIO-{unique}", "oms")


async def test_a_second_source_after_invoicing_adjusts_nothing_and_the_billing_source_still_restates(
        invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"PIO-{unique}", day="2025-06-10", impressions=100_000, **base)])
    await billing.bill("2025-06", "issue", [adv])
    june = await billing.issued_invoice(adv, "2025-06")
    # after issue: OMS reports the June day (twice, restated), PIO restates it and July's first day
    await deliver(invoice_feed, [
        delivery(f"OMS-{unique}", day="2025-06-10", impressions=150_000, source_system="oms", **base),
        delivery(f"OMS-{unique}", revision=1, day="2025-06-10", impressions=170_000, source_system="oms", **base),
        delivery(f"PIO-{unique}", revision=1, day="2025-06-10", impressions=110_000, **base),
        delivery(f"PIO7-{unique}", day="2025-07-01", impressions=20_000, **base)])
    await billing.bill("2025-07", "issue", [adv])
    july = await billing.issued_invoice(adv, "2025-07")
    adjustment = line(july, "prior_period_adjustment")  # PIO's restatement only: +10,000, never OMS's figures
    assert (adjustment["quantity"], adjustment["amount"]) == (10_000, "50.00")
    assert adjustment["original_invoice_number"] == june["invoice_number"]
    assert (line(july, "usage")["quantity"], july["total"]) == (20_000, "150.00")
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")  # one per delivery, whatever its revision
    assert (conflict["delivery_id"], conflict["refs"]["revision"], conflict["status"]) == (
        f"OMS-{unique}", "1", "open")
    assert (conflict["quantity"], conflict["amount_at_risk"]) == (170_000, 850)  # refreshed to the latest revision


async def test_a_configuration_change_does_not_release_a_conflicting_record(invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [
        delivery(f"PIO-{unique}", day="2025-08-05", impressions=100_000, **base),
        delivery(f"OMS-{unique}", day="2025-08-05", impressions=100_000, source_system="oms", **base)])
    # the product changes: invoice-svc re-checks every held record of it
    await configure(invoice_feed, products=[product(base["product_code"], price="6.00")], version=2)
    ledger = await _ledger(billing, account_id=adv)
    assert (ledger[f"OMS-{unique}"]["billable"], ledger[f"OMS-{unique}"]["exception_kinds"]) == (
        False, ["source_conflict"])
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert conflict["status"] == "open"
    await billing.bill("2025-08", "issue", [adv])
    assert line(await billing.issued_invoice(adv, "2025-08"), "usage")["quantity"] == 100_000


async def test_deliveries_filter_by_source_system(invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [
        delivery(f"PIO{day}-{unique}", day=f"2025-09-0{day}", impressions=1_000, **base) for day in (1, 2)] + [
        delivery(f"OMS{day}-{unique}", day=f"2025-09-0{day}", impressions=1_000, source_system="oms", **base)
        for day in (2, 3)])
    assert set(await _ledger(billing, account_id=adv, source_system="oms")) == {f"OMS2-{unique}", f"OMS3-{unique}"}
    assert set(await _ledger(billing, account_id=adv, source_system="pio")) == {f"PIO1-{unique}", f"PIO2-{unique}"}
    assert await _ledger(billing, account_id=adv, source_system="nowhere") == {}
    # with the other filters: OMS's records that do not bill
    assert set(await _ledger(billing, account_id=adv, source_system="oms", billable="false")) == {f"OMS2-{unique}"}


async def test_deliveries_of_unregistered_systems_or_from_unregistered_sources_are_dead_lettered(
        invoice_feed, billing, unique):
    base = await _one_line_contract(invoice_feed, unique)
    system = f"oms-{unique.lower()}"
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [(system, envelope_for(
        "DeliverySourceRegistered", {"state_version": 1, "delivery_source": {
            "source_system": system, "name": "OMS", "event_sources": ["/ad-platforms/oms"]}},
        subject=system, source="/mediabill/product-config-svc"))])
    rogue = delivered(delivery(f"ROGUE-{unique}", day="2025-10-01", impressions=5, source_system=system, **base),
                      source="/ad-platforms/rogue")
    start = await end_offsets(invoice_feed.bootstrap, dlq_topic(DELIVERY_TOPIC))
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [
        delivered(delivery(f"OMS-{unique}", day="2025-10-02", impressions=7, source_system=system, **base),
                  source="/ad-platforms/oms"),
        rogue,  # claims the registered system from another source
        delivered(delivery(f"OTHER-{unique}", day="2025-10-03", impressions=9, source_system=f"x-{unique}", **base),
                  source="/ad-platforms/anything"),  # a system nobody registered
        delivered(delivery(f"PIO-{unique}", day="2025-10-04", impressions=11, **base))])  # pio: registered
    ledger = await _ledger(billing, account_id=base["account_id"])
    assert {d: v["impressions"] for d, v in ledger.items()} == {f"OMS-{unique}": 7, f"PIO-{unique}": 11}
    dead = await read_from(invoice_feed.bootstrap, start, 2)
    by_value = {json.loads(r.value)["data"]["delivery_id"]: dict(r.headers)["dlq-reason"].decode() for r in dead}
    assert "/ad-platforms/rogue" in by_value[f"ROGUE-{unique}"] and system in by_value[f"ROGUE-{unique}"]
    assert f"'x-{unique}' is not a registered delivery source" in by_value[f"OTHER-{unique}"]
