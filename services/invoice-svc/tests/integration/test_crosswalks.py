"""Crosswalks through the REST API and the real broker (oversight.md O1): config-admin loads a source's line item
ids mapped to ours (audited), and the source's deliveries ingested from then on match our line items."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from invoice_svc.adapters.crosswalk_repository import CrosswalkRepository
from invoice_svc.app.handlers import HANDLERS
from invoice_svc.testing.billing import ANALYST, READER, account, configure, contract, deliver, delivery, product
from invoice_svc.testing.events import delivered
from mediabill_common.consumer.handlers import Event, unit_builder
from mediabill_common.testing.plugin import bearer

pytestmark = pytest.mark.integration
ADMIN = bearer(["config-admin"], "cara@example.com")


async def test_a_loaded_crosswalk_matches_a_sources_deliveries_to_our_line_items(invoice_feed, billing, unique):
    p, adv, ours = f"P-{unique}", f"ADV-{unique}", f"L-{unique}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(adv)],
                    contracts=[contract(f"C-{unique}", advertiser=adv, bill_to=adv,
                                        lines=[{"line_item_id": ours, "product_code": p, "rate": "5.00"}])])
    path = "/v1/source-crosswalks/oms"
    body = {"line_items": {f"OMS-{unique}": ours}, "reason": "OMS parallel run"}
    assert (await billing.client.put(path, json=body, headers=ANALYST)).status_code == 403
    blank = await billing.client.put(path, json={"line_items": {f"OMS-{unique}": ""}}, headers=ADMIN)
    assert blank.status_code == 422 and blank.headers["content-type"].startswith("application/problem+json")
    loaded = await billing.client.put(path, json=body, headers=ADMIN)
    assert loaded.status_code == 200, loaded.text
    got = await billing.client.get(path, headers=READER)
    assert got.json() == {"source_system": "oms", "line_items": {f"OMS-{unique}": ours}}
    async with billing.ctx.sessions() as s:
        audited = (await s.execute(text(
            "SELECT actor, action, reason FROM invoice_svc.audit_log WHERE entity_type = 'source_crosswalk' "
            "AND entity_id = 'oms' ORDER BY id DESC LIMIT 1"))).one()
    assert tuple(audited) == ("cara@example.com", "load_crosswalk", "OMS parallel run")

    base = {"account_id": adv, "contract_id": f"C-{unique}", "product_code": p}
    await deliver(invoice_feed, [
        delivery(f"PIO-{unique}", day="2025-04-02", impressions=1_000, line_item_id=ours, **base),
        delivery(f"OMSD-{unique}", day="2025-04-02", impressions=900, source_system="oms",
                 line_item_id=f"OMS-{unique}", **base)])
    response = await billing.client.get("/v1/deliveries", params={"account_id": adv}, headers=READER)
    ledger = {d["delivery_id"]: d for d in response.json()["items"]}
    assert ledger[f"OMSD-{unique}"]["line_item_id"] == ours  # matched on (our line item, day)
    # so the day is billed once: whichever source the consumer saw first bills it (the two are keyed, hence
    # partitioned, by their own line item ids), the other is held with source_conflict
    kinds = sorted((d["billable"], d["exception_kinds"]) for d in ledger.values())
    assert kinds == [(False, ["source_conflict"]), (True, [])]


async def _apply_in_own_transaction(ctx, envelope) -> None:
    """One delivery through the service's handler table, in a transaction of its own (as another consumer)."""
    build = unit_builder(ctx, HANDLERS, ctx.deps.units.of)
    async with ctx.sessions.begin() as session:
        await HANDLERS.dispatch(Event.of(envelope), build(session))


async def test_two_consumers_decide_a_crosswalked_line_items_day_one_after_the_other(invoice_feed, invoice_ctx,
                                                                                   unique):
    """Records of one of our line items from two sources come keyed by each source's own id, so possibly on two
    partitions read by two consumers (runners or replicas) at once: the second transaction waits for the first to
    commit before it decides which source bills the day, so the day is billed once."""
    p, adv, ours = f"P-{unique}", f"ADV-{unique}", f"L-{unique}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(adv)],
                    contracts=[contract(f"C-{unique}", advertiser=adv, bill_to=adv,
                                        lines=[{"line_item_id": ours, "product_code": p, "rate": "5.00"}])])
    async with invoice_ctx.sessions.begin() as session:
        await CrosswalkRepository(session).replace("oms", {f"OMS-{unique}": ours})
    base = {"account_id": adv, "contract_id": f"C-{unique}", "product_code": p}
    native = delivered(delivery(f"PIO-{unique}", day="2025-04-03", impressions=1_000, line_item_id=ours, **base))[1]
    walked = delivered(delivery(f"OMSD-{unique}", day="2025-04-03", impressions=900, source_system="oms",
                                line_item_id=f"OMS-{unique}", **base))[1]

    build = unit_builder(invoice_ctx, HANDLERS, invoice_ctx.deps.units.of)
    async with invoice_ctx.sessions.begin() as first:
        await HANDLERS.dispatch(Event.of(native), build(first))  # decided, not committed yet
        second = asyncio.create_task(_apply_in_own_transaction(invoice_ctx, walked))
        async with invoice_ctx.sessions() as probe:
            while not (await probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND wait_event = 'advisory' AND datname = current_database()"))).scalar():
                assert not second.done(), "the second consumer decided the day without waiting for the first"
                await asyncio.sleep(0.05)
    await second
    async with invoice_ctx.sessions() as s:
        rows = (await s.execute(text(
            "SELECT delivery_id, billable, exception_kinds FROM invoice_svc.deliveries WHERE delivery_id IN (:a, :b) "
            "ORDER BY delivery_id"), {"a": f"PIO-{unique}", "b": f"OMSD-{unique}"})).all()
    assert [tuple(r) for r in rows] == [(f"OMSD-{unique}", False, ["source_conflict"]), (f"PIO-{unique}", True, [])]
