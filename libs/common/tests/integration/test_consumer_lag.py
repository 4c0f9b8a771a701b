"""The consumer reports how far behind its partition's end it is after each commit."""

import pytest
from prometheus_client import REGISTRY

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import envelope_for, publish, run_consumer_until

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

    async def all_handled_and_committed() -> bool:
        return len(seen_by_record) == 30 and REGISTRY.get_sample_value("mediabill_consumer_lag", labels) == 0

    await run_consumer_until(
        kafka_bootstrap, lambda producer: ConsumerRunner(name=name, session_factory=sessions, inbox=tables.inbox,
                                                         handlers={"PaymentApplied": note_lag}, producer=producer),
        [topic], all_handled_and_committed, timeout_s=30, batch_size=10)
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
