"""Poison records through the collections consumer's real loop on the real broker: a 5,000-digit integer in
`data`, JSON nested 5,000 deep, and a value too large to re-publish with the dead-letter headers. Each ends on the
dead-letter topic with its reason and the consumer moves on: the valid event sent after them is applied and the
group's offset reaches the end of the topic. The topic is the test's own, so the group starts on exactly these."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from mediabill_common.events.envelope import CONTENT_TYPE
from mediabill_common.kafka import make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import read_all
from mediabill_common.testing.polling import poll_until
from tests.hostile.support import committed_offset
from tests.hostile.test_collections_api import INVOICE_SVC, invoice_issued
from tools.collections.consumer import consume
from tools.collections.ledger import ArLedger
from tools.collections.settings import CollectionsSettings

pytestmark = pytest.mark.integration

MIB = 1024 * 1024


def _event(invoice_id: str, **extra: object) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": INVOICE_SVC, "type": "InvoiceIssued",
            "time": datetime.now(UTC).isoformat(), "subject": invoice_id, "datacontenttype": "application/json",
            "schemaversion": 1, "data": {**invoice_issued(invoice_id), **extra}}


def _with_raw(invoice_id: str, raw: str) -> bytes:
    """An InvoiceIssued whose `note` is the raw JSON text `raw` (which json.dumps would not write)."""
    return json.dumps(_event(invoice_id, note="__poison__")).replace('"__poison__"', raw, 1).encode()


def _poison(invoice_id: str) -> dict[str, bytes]:
    return {
        "a 5,000-digit integer": _with_raw(invoice_id, "1" + "0" * 4999),
        "JSON nested 5,000 deep": _with_raw(invoice_id, "[" * 5000 + "]" * 5000),
        # Just under the producer's 1 MiB request: the broker takes it, but not again with the dead-letter headers.
        "a value too large to re-publish": b'{"junk": "' + b"x" * (MIB - 400) + b'"}',
    }


async def test_poison_records_are_dead_lettered_and_the_collections_consumer_moves_on(
        database_url, kafka_bootstrap, unique):
    topic = f"poison-collections-{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    poison = _poison(f"I-poison-{unique}")
    valid_id = f"I-valid-{unique}"
    producer = make_producer(kafka_bootstrap, client_id="poison-tests")
    await producer.start()
    try:
        for value in [*poison.values(), json.dumps(_event(valid_id)).encode()]:
            await producer.send_and_wait(topic, value=value, key=b"poison",
                                         headers=[("content-type", CONTENT_TYPE.encode())])
    finally:
        await producer.stop()

    settings = CollectionsSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
                                   collections_group=f"collections-poison-{unique}")
    pool = await asyncpg.create_pool(settings.asyncpg_url, min_size=1, max_size=3)
    ledger = ArLedger(pool)
    await ledger.create()
    dead_letters = make_producer(kafka_bootstrap, client_id="collections")
    await dead_letters.start()
    stop = asyncio.Event()
    loop = asyncio.create_task(consume(ledger, dead_letters, settings, stop, topics=[topic]))
    try:
        async def caught_up() -> bool:
            return (await ledger.invoice(valid_id) is not None
                    and await committed_offset(kafka_bootstrap, settings.collections_group, topic) == 4)

        def running() -> None:
            assert not loop.done(), loop

        await poll_until(caught_up, what="the consumer to get past the poison", timeout_s=60, every_s=0.2,
                         alive=running)
    finally:
        stop.set()
        await asyncio.wait_for(loop, timeout=15)
        await dead_letters.stop()
        await pool.close()

    letters = [record for _, record in await read_all(kafka_bootstrap, f"{topic}.dlq")]
    assert [int(dict(r.headers)["dlq-original-offset"]) for r in letters] == [0, 1, 2]
    reasons = {name: dict(r.headers)["dlq-reason"].decode() for name, r in zip(poison, letters, strict=True)}
    assert all(reason and dict(r.headers)["dlq-consumer"] == b"collections"
               for reason, r in zip(reasons.values(), letters, strict=True)), reasons
    assert "nested too deeply" in reasons["JSON nested 5,000 deep"]
    whole, whole_deep, truncated = letters
    assert whole.value == poison["a 5,000-digit integer"] and whole_deep.value == poison["JSON nested 5,000 deep"]
    assert int(dict(truncated.headers)["dlq-value-truncated"]) == len(poison["a value too large to re-publish"])
    assert poison["a value too large to re-publish"].startswith(truncated.value)
