"""Poison messages go to <topic>.dlq with their headers; the consumer goes on with the next one."""

import asyncio
import json

import pytest
from sqlalchemy import text

from mediabill_common.consumer import ConsumerRunner, PermanentError
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import envelope_for, publish, read_topic
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration


def _payment(n: int, amount: str = "1.00"):
    return envelope_for("PaymentApplied", {
        "payment_id": f"p-{n}", "invoice_id": "inv", "bill_to_account_id": "acct", "amount": amount,
        "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"}, subject="inv")


async def _topic_and_applied_table(common_schema, kafka_bootstrap: str, topic: str) -> str:
    """The test's topic and its dead-letter topic, and a table of the payments applied; the table's name."""
    schema, _, engine, _ = common_schema
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE TABLE "{schema}".applied (id serial, payment_id text)'))
    return f'"{schema}".applied'


async def test_poison_messages_are_dead_lettered_and_the_rest_applied_once(common_schema, kafka_bootstrap,
                                                                           unique):
    schema, tables, _, sessions = common_schema
    topic = f"test.poison.{unique}"
    applied_table = await _topic_and_applied_table(common_schema, kafka_bootstrap, topic)

    async def apply_payment(session, item) -> None:
        await session.execute(text(f"INSERT INTO {applied_table} (payment_id) VALUES (:p)"),
                              {"p": item.payload.payment_id})
        if item.payload.amount == 13:
            raise PermanentError("amount 13 is cursed")

    good1, good2 = _payment(1), _payment(2)
    unknown = envelope_for("PaymentApplied", json.loads(_payment(9).model_dump_json())["data"], subject="x")
    unknown.type = "SomethingNew"
    await publish(kafka_bootstrap, topic, [
        ("k", good1), ("k", b"{not json"), ("k", json.dumps({"specversion": "1.0"}).encode()),
        ("k", _payment(3, amount="13")), ("k", unknown), ("k", good1), ("k", good2),
    ])
    producer = make_producer(kafka_bootstrap, client_id="dlq-test")
    await producer.start()
    told: list[tuple[int, str]] = []

    async def on_dead_letter(record, reason: str) -> None:
        told.append((record.offset, reason))

    runner = ConsumerRunner(name=f"dlq-test-{unique}", session_factory=sessions, inbox=tables.inbox,
                            handlers={"PaymentApplied": apply_payment}, producer=producer, max_attempts=2,
                            retry_wait_s=0.01, on_dead_letter=on_dead_letter)
    consumer = make_consumer(kafka_bootstrap, group_id=f"dlq-{unique}", client_id="dlq", topics=[topic],
                             listener=runner.rebalance_listener)
    await consumer.start()
    try:
        seen = 0

        async def processed() -> int:
            nonlocal seen
            records = [r for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs]
            if records:
                await runner.process(records)
            seen += len(records)
            return seen

        await poll_until(processed, what="the 7 records processed", until=lambda n: n >= 7, every_s=0)
    finally:
        await consumer.stop()
        await producer.stop()

    async with sessions() as session:
        applied = (await session.execute(text(f"SELECT payment_id FROM {applied_table} ORDER BY id"))).scalars()
        assert list(applied) == ["p-1", "p-2"]  # the duplicate of p-1 changed nothing; unknown type ignored
    dead = await read_topic(kafka_bootstrap, f"{topic}.dlq", lambda v, r: True, count=3)
    reasons = [dict(r.headers)["dlq-reason"].decode() for _, r in dead]
    assert "not JSON" in reasons[0]
    assert "CloudEvents" in reasons[1]
    assert "cursed" in reasons[2]
    # the hook was told of each, after its letter was on the topic, with the reason the letter carries
    assert told == [(int(dict(r.headers)["dlq-original-offset"]), reason) for (_, r), reason in zip(dead, reasons,
                                                                                                    strict=True)]
    for _, record in dead:
        headers = dict(record.headers)
        assert headers["dlq-consumer"].decode() == f"dlq-test-{unique}"
        assert headers["dlq-at"]
        assert record.key == b"k"
    async with sessions() as session:
        inbox_rows = await session.scalar(text(f'SELECT count(*) FROM "{schema}".inbox'))
    assert inbox_rows == 2


async def test_a_database_error_is_dead_lettered_with_its_reason_and_without_the_statement(
        common_schema, kafka_bootstrap, unique):
    schema, tables, _, sessions = common_schema
    topic = f"test.sqlerror.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})

    async def apply_payment(session, item) -> None:
        # a statement naming an internal table and carrying the event's data as a parameter
        await session.execute(text(f'SELECT 1 / (:amount - :amount) FROM "{schema}".inbox_secret_table_name'),
                              {"amount": int(item.payload.amount)})

    await publish(kafka_bootstrap, topic, [("k", _payment(1, amount="41.00"))])
    producer = make_producer(kafka_bootstrap, client_id="dlq-sql-test")
    await producer.start()
    runner = ConsumerRunner(name=f"dlq-sql-{unique}", session_factory=sessions, inbox=tables.inbox,
                            handlers={"PaymentApplied": apply_payment}, producer=producer, max_attempts=1)
    try:
        [dead] = await _dead_letter_of(runner, kafka_bootstrap, topic, unique)
    finally:
        await producer.stop()
    reason = dict(dead.headers)["dlq-reason"].decode()
    assert reason == ('UndefinedTableError (SQLSTATE 42P01): relation '
                      f'"{schema}.inbox_secret_table_name" does not exist')
    # the schema's random name may hold "41" itself
    without_schema = reason.replace(schema, "")
    assert "SELECT" not in without_schema and "41" not in without_schema and "[SQL" not in without_schema


async def _dead_letter_of(runner, kafka_bootstrap: str, topic: str, unique: str):
    consumer = make_consumer(kafka_bootstrap, group_id=f"dlq-sql-{unique}", client_id="dlq-sql", topics=[topic],
                             listener=runner.rebalance_listener)
    await consumer.start()
    try:
        async def fetched() -> list:
            return [r for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs]

        await runner.process(await poll_until(fetched, what=f"a record on {topic}", every_s=0))
    finally:
        await consumer.stop()
    return [r for _, r in await read_topic(kafka_bootstrap, f"{topic}.dlq", lambda v, r: True, count=1)]


async def test_a_permanent_error_is_dead_lettered_without_waiting_out_the_retry_backoff(common_schema, kafka_bootstrap,
                                                                                       unique):
    """A batch holding refused events is replayed event by event; an event refused for good is dead-lettered at
    once. The backoff between attempts is for errors that may pass: waiting it out after a PermanentError stalled
    the partition for retry_wait_s per refused event (here an hour each, which the guard below would turn into a
    failure)."""
    _, tables, _, sessions = common_schema
    topic = f"test.refused.{unique}"
    applied_table = await _topic_and_applied_table(common_schema, kafka_bootstrap, topic)

    async def apply_payment(session, item) -> None:
        if item.payload.amount == 13:
            raise PermanentError("amount 13 is refused")
        await session.execute(text(f"INSERT INTO {applied_table} (payment_id) VALUES (:p)"),
                              {"p": item.payload.payment_id})

    await publish(kafka_bootstrap, topic, [("k", _payment(1, amount="13")), ("k", _payment(2)),
                                           ("k", _payment(3, amount="13"))])
    producer = make_producer(kafka_bootstrap, client_id="refused-test")
    await producer.start()
    runner = ConsumerRunner(name=f"refused-test-{unique}", session_factory=sessions, inbox=tables.inbox,
                            handlers={"PaymentApplied": apply_payment}, producer=producer, max_attempts=5,
                            retry_wait_s=3600)
    consumer = make_consumer(kafka_bootstrap, group_id=f"refused-{unique}", client_id="refused", topics=[topic],
                             listener=runner.rebalance_listener)
    await consumer.start()
    try:
        records: list = []

        async def read() -> int:
            records.extend(r for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs)
            return len(records)

        await poll_until(read, what="the 3 records read", until=lambda n: n >= 3, every_s=0)
        await asyncio.wait_for(runner.process(records), timeout=120)  # a guard against the hour-long backoff
    finally:
        await consumer.stop()
        await producer.stop()

    async with sessions() as session:
        applied = (await session.execute(text(f"SELECT payment_id FROM {applied_table}"))).scalars()
        assert list(applied) == ["p-2"]
    dead = await read_topic(kafka_bootstrap, f"{topic}.dlq", lambda v, r: True, count=2)
    assert [value["data"]["payment_id"] for value, _ in dead] == ["p-1", "p-3"]
    assert all("refused" in dict(r.headers)["dlq-reason"].decode() for _, r in dead)
