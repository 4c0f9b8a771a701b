"""The ledger under a generated stream (duplicates, reordering, restatements) equals a simple model, and
malformed messages go to the dead-letter topic while the rest carries on."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from invoice_svc.entrypoints.consumer import TOPICS, make_runner
from invoice_svc.testing.events import (
    account_state,
    config_event,
    contract_state,
    delivered,
    delivery,
    product_state,
)
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC
from mediabill_common.testing.kafka import consume_until, publish, read_topic, start_groups_at_end

pytestmark = pytest.mark.integration

# A stream step: (delivery index, revision, how many times the same message is sent)
steps = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 2)), min_size=1, max_size=14)


def _figures(i: int, revision: int) -> int:
    return 1000 * (i + 1) + revision  # upstream: one revision of a delivery always carries the same figures


async def _configure(feed, u: str) -> dict:
    p, a, c = f"P-{u}", f"A-{u}", f"C-{u}"
    await feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p)), config_event("BillingAccountUpserted", account_state(a)),
        config_event("ContractActivated", contract_state(c, account_id=a, product_code=p))])
    return {"account_id": a, "product_code": p, "contract_id": c}


async def _ledger_state(ctx, prefix: str):
    async with ctx.sessions() as s:
        current = {r.delivery_id: (r.revision, r.impressions) for r in await s.execute(text(
            "SELECT delivery_id, revision, impressions FROM invoice_svc.deliveries WHERE delivery_id LIKE :p"),
            {"p": prefix + "%"})}
        history = {(r.delivery_id, r.revision) for r in await s.execute(text(
            "SELECT delivery_id, revision FROM invoice_svc.delivery_revisions WHERE delivery_id LIKE :p"),
            {"p": prefix + "%"})}
    return current, history


async def test_ledger_matches_the_model_for_any_stream_and_batching(invoice_feed, invoice_ctx, unique):
    base = await _configure(invoice_feed, unique)
    examples = iter(range(1000))

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(stream=steps, batch_sizes=st.lists(st.integers(1, 6), min_size=1, max_size=6))
    def check(stream, batch_sizes):
        prefix = f"D-{unique}-{next(examples)}-"
        items, model_current, model_history = [], {}, set()
        for i, revision, copies in stream:
            did = f"{prefix}{i}"
            event = delivered(delivery(did, revision=revision, impressions=_figures(i, revision),
                                       line_item_id=f"L{i}", **base))
            items.extend([event] * copies)  # a resend is the very same message (same source and id)
            model_history.add((did, revision))
            if did not in model_current or revision > model_current[did][0]:
                model_current[did] = (revision, _figures(i, revision))

        async def run():
            records = await invoice_feed.publish_and_apply(DELIVERY_TOPIC, items, batch_sizes=batch_sizes)
            await invoice_feed.apply(records)  # the whole stream redelivered (a crash before the offset commit)
            return await _ledger_state(invoice_ctx, prefix)

        current, history = _run_on_test_loop(run)
        assert current == model_current
        assert history == model_history

    await asyncio.to_thread(check)
    assert next(examples) >= 12  # every generated stream went through the broker and the runner


_LOOP: asyncio.AbstractEventLoop | None = None


def _run_on_test_loop(coro_fn):
    """Hypothesis drives a sync function (in a worker thread); each example runs on the test's own loop."""
    return asyncio.run_coroutine_threadsafe(coro_fn(), _LOOP).result(timeout=120)


@pytest.fixture(autouse=True)
async def _capture_loop():
    global _LOOP
    _LOOP = asyncio.get_running_loop()


async def test_malformed_messages_are_dead_lettered_and_the_rest_is_recorded(invoice_feed, invoice_ctx,
                                                                          kafka_bootstrap, unique):
    base = await _configure(invoice_feed, unique)
    good = delivered(delivery(f"D-{unique}", **base))
    bad_schema = delivered(delivery(f"D-{unique}-bad", **base))[1].model_copy(
        update={"data": {"delivery_id": f"D-{unique}-bad", "revision": -1}})
    not_json = b"{not json " + unique.encode()
    records = await invoice_feed.publish_and_apply(DELIVERY_TOPIC, [("L1", not_json), ("L1", bad_schema), good])

    found = await read_topic(kafka_bootstrap, f"{DELIVERY_TOPIC}.dlq", lambda v, r: r.value in (
        not_json, records[1].value), count=2)
    reasons = {r.value: dict(r.headers)["dlq-reason"].decode() for _, r in found}
    assert "not JSON" in reasons[not_json]
    assert "CampaignDelivered data does not match its schema" in reasons[records[1].value]
    async with invoice_ctx.sessions() as s:
        kept = (await s.execute(text("SELECT delivery_id FROM invoice_svc.deliveries WHERE delivery_id LIKE :p"),
                                {"p": f"D-{unique}%"})).scalars().all()
    assert kept == [f"D-{unique}"]


async def test_the_service_consumer_loop_records_a_stream_exactly_once(invoice_ctx, kafka_bootstrap, unique):
    group = f"invoice-svc-loop-{unique}"
    await start_groups_at_end(kafka_bootstrap, [group], TOPICS)
    p, a, c = f"P-{unique}", f"A-{unique}", f"C-{unique}"
    base = {"account_id": a, "product_code": p, "contract_id": c}
    first = delivered(delivery(f"D-{unique}", revision=0, impressions=10, **base))
    restated = delivered(delivery(f"D-{unique}", revision=1, impressions=20, **base))
    late_old = delivered(delivery(f"D-{unique}", revision=0, impressions=10, **base))
    await publish(kafka_bootstrap, DELIVERY_TOPIC, [first, restated, first, late_old])
    # the contract shows up after its deliveries
    await publish(kafka_bootstrap, CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p)), config_event("BillingAccountUpserted", account_state(a)),
        config_event("ContractActivated", contract_state(c, account_id=a, product_code=p))])

    async def done():
        async with invoice_ctx.sessions() as s:
            row = (await s.execute(text(
                "SELECT revision, impressions, billable FROM invoice_svc.deliveries WHERE delivery_id = :d"),
                {"d": f"D-{unique}"})).first()
        return row is not None and tuple(row) == (1, 20, True)

    await consume_until(invoice_ctx, lambda ctx, producer: make_runner(ctx, producer, name=group), TOPICS, done,
                        group_id=group)
    assert await done()

