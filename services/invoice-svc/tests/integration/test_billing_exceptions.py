"""Records that cannot be billed are kept, raise one exception per cause, and heal when configuration arrives."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.exceptions import raise_exception
from invoice_svc.testing.events import account_state, config_event, contract_state, delivered, delivery, product_state
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, EXCEPTIONS_TOPIC
from mediabill_common.testing.kafka import flush_outbox, read_topic

pytestmark = pytest.mark.integration


async def _exceptions(ctx, delivery_id: str) -> list[dict]:
    async with ctx.sessions() as s:
        rows = (await s.execute(text(
            "SELECT * FROM invoice_svc.billing_exceptions WHERE delivery_id = :d ORDER BY kind, raised_at"),
            {"d": delivery_id})).mappings().all()
    return [dict(r) for r in rows]


async def _delivery(ctx, delivery_id: str) -> dict:
    async with ctx.sessions() as s:
        return dict((await s.execute(text("SELECT * FROM invoice_svc.deliveries WHERE delivery_id = :d"),
                                     {"d": delivery_id})).mappings().one())


def _scenario(kind: str, u: str) -> tuple[list, dict]:
    """Configuration events and a delivery that raises exactly `kind`."""
    p, a, c = f"P-{u}", f"A-{u}", f"C-{u}"
    product = product_state(p)
    contract = contract_state(c, account_id=a, product_code=p)
    d = delivery(f"D-{u}", account_id=a, product_code=p, contract_id=c)
    if kind == "unknown_product":
        d["product_code"] = f"P-missing-{u}"
        contract["lines"][0]["product_code"] = d["product_code"]
    elif kind == "product_not_live":
        product["status"] = "draft"
    elif kind == "unknown_contract":
        d["contract_id"] = f"C-missing-{u}"
    elif kind == "outside_flight":
        d["delivery_date"] = "2025-04-02"
    elif kind == "currency_mismatch":
        d |= {"media_cost": "12.50", "currency": "EUR"}
    elif kind == "missing_media_cost":
        product = product_state(p, pricing_model="auction_cpc", price=None)
        d["contract_id"] = None
    elif kind == "missing_rate":
        product = product_state(p, contract_priced=True, price=None)
        contract["lines"][0]["rate"] = None
    elif kind == "missing_third_party_counts":
        contract["billing_basis"] = "third_party"
    events = [config_event("ProductCreated", product), config_event("ContractActivated", contract)]
    if kind != "unknown_account":
        events.append(config_event("BillingAccountUpserted", account_state(a)))
    return events, d


KINDS = ["unknown_product", "product_not_live", "unknown_account", "unknown_contract", "outside_flight",
         "currency_mismatch", "missing_media_cost", "missing_rate", "missing_third_party_counts"]


@pytest.mark.parametrize("kind", KINDS)
async def test_unbillable_record_is_kept_and_raises_its_exception(invoice_feed, invoice_ctx, kafka_bootstrap,
                                                                  unique, kind):
    config, d = _scenario(kind, unique)
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, config)
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d)])

    held = await _delivery(invoice_ctx, d["delivery_id"])
    assert (held["billable"], held["exception_kinds"]) == (False, [kind])
    [raised] = await _exceptions(invoice_ctx, d["delivery_id"])
    assert (raised["kind"], raised["status"], raised["account_id"]) == (kind, "open", d["account_id"])
    await flush_outbox(invoice_ctx)
    [(event, record)] = await read_topic(kafka_bootstrap, EXCEPTIONS_TOPIC, lambda v, r: bool(v) and v.get(
        "data", {}).get("exception_id") == raised["exception_id"], count=1)
    assert event["type"] == "BillingExceptionRaised" and record.key == d["account_id"].encode()
    assert event["data"]["kind"] == kind and event["data"]["refs"]["delivery_id"] == d["delivery_id"]


async def test_amount_at_risk_is_quantity_times_contract_rate(invoice_feed, invoice_ctx, unique):
    config, d = _scenario("outside_flight", unique)  # 100,000 impressions at the contract's 6.00 CPM
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, config)
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d)])
    [raised] = await _exceptions(invoice_ctx, d["delivery_id"])
    assert (str(raised["amount_at_risk"]), raised["currency"]) == ("600.00", "USD")


async def test_restatements_keep_one_open_exception_per_delivery_and_kind(invoice_feed, invoice_ctx, unique):
    config, d = _scenario("unknown_contract", unique)
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, config)
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d | {"revision": r}) for r in (0, 1)],
                                         batch_sizes=[1, 1])
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d | {"revision": 2})])
    assert [x["kind"] for x in await _exceptions(invoice_ctx, d["delivery_id"])] == ["unknown_contract"]


async def test_parked_records_heal_when_their_configuration_arrives(invoice_feed, invoice_ctx, kafka_bootstrap,
                                                                    unique):
    p, a, c = f"P-{unique}", f"A-{unique}", f"C-{unique}"
    ids = [f"D-{unique}-{i}" for i in range(3)]
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [
        delivered(delivery(i, account_id=a, product_code=p, contract_id=c, line_item_id="L1")) for i in ids])
    before = await _exceptions(invoice_ctx, ids[0])
    assert {x["kind"] for x in before} == {"unknown_product", "unknown_account", "unknown_contract"}

    # the contract arrives first: unknown_contract resolves itself, the others stay open
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ContractCreated", contract_state(c, account_id=a, product_code=p))])
    open_kinds = {x["kind"] for x in await _exceptions(invoice_ctx, ids[0]) if x["status"] != "resolved"}
    assert open_kinds == {"unknown_product", "unknown_account"}
    assert (await _delivery(invoice_ctx, ids[0]))["billable"] is False

    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p)), config_event("BillingAccountUpserted", account_state(a))])
    for delivery_id in ids:
        healed = await _delivery(invoice_ctx, delivery_id)
        assert (healed["billable"], healed["exception_kinds"]) == (True, [])
        after = await _exceptions(invoice_ctx, delivery_id)
        assert {(x["status"], x["resolved_by"], x["root_cause"]) for x in after} == {
            ("resolved", "system", "system_resolved")}

    await flush_outbox(invoice_ctx)
    resolved_ids = {x["exception_id"] for x in before}
    found = await read_topic(kafka_bootstrap, EXCEPTIONS_TOPIC, lambda v, r: bool(v) and v.get("type") ==
                             "BillingExceptionResolved" and v["data"]["exception_id"] in resolved_ids, count=3)
    assert {(e["data"]["resolved_by"], e["data"]["root_cause"]) for e, _ in found} == {("system", "system_resolved")}


async def test_a_product_going_live_heals_its_parked_records(invoice_feed, invoice_ctx, unique):
    p, a = f"P-{unique}", f"A-{unique}"
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductCreated", product_state(p, pricing_model="auction_cpc", price=None, status="draft")),
        config_event("BillingAccountUpserted", account_state(a))])
    d = delivery(f"D-{unique}", account_id=a, product_code=p, media_cost="42.10", currency="USD")
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d)])
    [parked] = await _exceptions(invoice_ctx, d["delivery_id"])
    assert (parked["kind"], str(parked["amount_at_risk"])) == ("product_not_live", "42.10")
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p, pricing_model="auction_cpc", price=None), version=2)])
    assert (await _delivery(invoice_ctx, d["delivery_id"]))["billable"] is True


async def test_stale_configuration_versions_are_ignored(invoice_feed, invoice_ctx, unique):
    p = f"P-{unique}"
    await invoice_feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p), version=2),
        config_event("ProductCreated", product_state(p, status="draft"), version=1)])
    async with invoice_ctx.sessions() as s:
        row = (await s.execute(text("SELECT status, state_version FROM invoice_svc.products WHERE code = :c"),
                               {"c": p})).one()
    assert tuple(row) == ("live", 2)


async def test_raise_exception_is_idempotent_on_its_dedupe_key(invoice_ctx, unique):
    refs = {"invoice_id": f"INV-{unique}"}
    async with invoice_ctx.sessions.begin() as s:
        unit = SqlUnits(invoice_ctx).over(s)
        first = await raise_exception(unit, "negative_invoice", f"A-{unique}", refs, None, "USD")
        again = await raise_exception(unit, "negative_invoice", f"A-{unique}", refs, None, "USD")
    async with invoice_ctx.sessions() as s:
        count = (await s.execute(text("SELECT count(*) FROM invoice_svc.billing_exceptions WHERE account_id = :a"),
                                 {"a": f"A-{unique}"})).scalar()
        events = (await s.execute(text(
            "SELECT count(*) FROM invoice_svc.outbox WHERE envelope->'data'->>'exception_id' = :x"),
            {"x": first})).scalar()
    assert first == again and count == 1 and events == 1
