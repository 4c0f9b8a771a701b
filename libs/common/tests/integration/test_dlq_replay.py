"""A dead letter is replayed once, unchanged and with its key, to the topic it came from."""

import pytest

from mediabill_common.kafka import make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.kafka.dlq import replay
from mediabill_common.testing.kafka import read_all

pytestmark = pytest.mark.integration


async def test_dead_letters_are_replayed_once_to_their_original_topic(kafka_bootstrap, unique):
    topic = f"test.replay.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})

    producer = make_producer(kafka_bootstrap, client_id="replay-test")
    await producer.start()
    await producer.send_and_wait(f"{topic}.dlq", value=b'{"fixed": "later"}', key=b"acct-1", headers=[
        ("content-type", b"application/cloudevents+json"), ("dlq-reason", b"config missing"),
        ("dlq-consumer", b"invoice-svc"), ("dlq-at", b"2026-11-22T00:00:00Z"),
        ("dlq-original-topic", topic.encode())])
    await producer.stop()

    assert await replay(kafka_bootstrap, f"{topic}.dlq", dry_run=True, idle_s=1) == 1
    assert await replay(kafka_bootstrap, f"{topic}.dlq", idle_s=1) == 1
    assert await replay(kafka_bootstrap, f"{topic}.dlq", idle_s=1) == 0  # already replayed

    replayed = await read_all(kafka_bootstrap, topic)
    assert len(replayed) == 1
    value, record = replayed[0]
    assert value == {"fixed": "later"} and record.key == b"acct-1"
    headers = dict(record.headers)
    assert headers["content-type"] == b"application/cloudevents+json"
    assert "dlq-reason" not in headers and "dlq-replayed-at" in headers
