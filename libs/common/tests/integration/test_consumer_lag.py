"""The consumer reports how far behind its partition's end it is after each commit."""

import asyncio

import pytest
from prometheus_client import REGISTRY

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import envelope_for, publish

pytestmark = pytest.mark.integration


async def test_lag_counts_down_to_zero_as_batches_commit(common_schema, kafka_bootstrap, unique):
    _schema, tables, _engine, sessions = common_schema
    topic, name = f"test.lag.{unique}", f"lag-{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    payments = [envelope_for("PaymentApplied", {
        "payment_id": f"p-{i}", "invoice_id": "inv", "bill_to_account_id": "acct", "amount": "1.00",
        "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"}, subject="inv") for i in range(30)]
    await publish(kafka_bootstrap, topic, [("k", p) for p in payments])
    labels = {"consumer": name, "topic": topic, "partition": "0"}
    seen_by_record: list[float | None] = []

    async def note_lag(_session, _item) -> None:
        seen_by_record.append(REGISTRY.get_sample_value("mediabill_consumer_lag", labels))

    producer = make_producer(kafka_bootstrap, client_id="lag-test")  # for dead letters; none expected
    await producer.start()
    runner = ConsumerRunner(name=name, session_factory=sessions, inbox=tables.inbox,
                            handlers={"PaymentApplied": note_lag}, producer=producer)
    consumer = make_consumer(kafka_bootstrap, group_id=name, client_id="lag", topics=[topic],
                             listener=runner.rebalance_listener)
    await consumer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(consumer, stop, batch_size=10))
    try:
        for _ in range(200):
            if len(seen_by_record) == 30 and REGISTRY.get_sample_value("mediabill_consumer_lag", labels) == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await consumer.stop()
        await producer.stop()
    # Before the first commit there is no figure. When record i is handled, the batches before it (at most 10
    # records each) are committed: the figure is 30 minus what they hold.
    assert len(seen_by_record) == 30 and seen_by_record[0] is None
    figures = [(i, lag) for i, lag in enumerate(seen_by_record) if lag is not None]
    assert figures and figures[0][1] > 0
    for i, lag in figures:
        committed = 30 - lag
        assert i - 10 < committed <= i, (i, lag)
    assert [lag for _, lag in figures] == sorted((lag for _, lag in figures), reverse=True)
    assert REGISTRY.get_sample_value("mediabill_consumer_lag", labels) == 0
