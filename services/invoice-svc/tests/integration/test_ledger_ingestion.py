"""The usage ledger counts every delivery record exactly once, whatever the duplicates, order and restatements."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from invoice_svc.testing.events import (
    account_state,
    config_event,
    contract_state,
    delivered,
    delivery,
    product_state,
)
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC

pytestmark = pytest.mark.integration


async def _configure(feed, unique: str) -> tuple[str, str, str]:
    product, account, contract = f"P-{unique}", f"A-{unique}", f"C-{unique}"
    await feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(product)),
        config_event("BillingAccountUpserted", account_state(account)),
        config_event("ContractActivated", contract_state(contract, account_id=account, product_code=product)),
    ])
    return product, account, contract


async def _ledger(ctx, delivery_ids: list[str]) -> dict[str, dict]:
    async with ctx.sessions() as s:
        rows = (await s.execute(text("SELECT * FROM invoice_svc.deliveries WHERE delivery_id = ANY(:d)"),
                                {"d": delivery_ids})).mappings().all()
    return {r["delivery_id"]: dict(r) for r in rows}


async def _history(ctx, delivery_id: str) -> list[tuple[int, int]]:
    async with ctx.sessions() as s:
        rows = (await s.execute(text(
            "SELECT revision, impressions FROM invoice_svc.delivery_revisions WHERE delivery_id = :d "
            "ORDER BY revision"), {"d": delivery_id})).all()
    return [tuple(r) for r in rows]


async def test_resent_event_changes_nothing(invoice_feed, invoice_ctx, unique):
    product, account, contract = await _configure(invoice_feed, unique)
    d = delivery(f"D-{unique}", account_id=account, product_code=product, contract_id=contract)
    event = delivered(d)
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [event])
    before = await _ledger(invoice_ctx, [d["delivery_id"]])
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [event, event])
    after = await _ledger(invoice_ctx, [d["delivery_id"]])
    assert after == before
    assert after[d["delivery_id"]]["billable"] is True
    assert await _history(invoice_ctx, d["delivery_id"]) == [(0, 100_000)]


async def test_restated_delivery_replaces_earlier_revision_whatever_the_arrival_order(invoice_feed, invoice_ctx,
                                                                                      unique):
    product, account, contract = await _configure(invoice_feed, unique)
    base = {"account_id": account, "product_code": product, "contract_id": contract}
    did = f"D-{unique}"
    events = [delivered(delivery(did, revision=r, impressions=1000 * (r + 1), **base)) for r in (0, 2, 1)]
    # revision 2 arrives in one batch, the late revision 1 in the next: it is kept in history, not applied
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, events, batch_sizes=[2, 1])
    current = (await _ledger(invoice_ctx, [did]))[did]
    assert (current["revision"], current["impressions"]) == (2, 3000)
    assert await _history(invoice_ctx, did) == [(0, 1000), (1, 2000), (2, 3000)]


async def test_equal_revision_with_new_event_id_is_a_no_op(invoice_feed, invoice_ctx, unique):
    product, account, contract = await _configure(invoice_feed, unique)
    did = f"D-{unique}"
    base = {"account_id": account, "product_code": product, "contract_id": contract}
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(delivery(did, revision=1, impressions=10, **base))])
    await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [delivered(delivery(did, revision=1, impressions=99, **base))])
    assert (await _ledger(invoice_ctx, [did]))[did]["impressions"] == 10
    assert await _history(invoice_ctx, did) == [(1, 10)]
