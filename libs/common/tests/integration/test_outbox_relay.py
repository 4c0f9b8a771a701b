"""The relay publishes committed rows, including a row whose transaction commits after later ids were relayed."""

import asyncio

import asyncpg
import pytest

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.kafka import make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.outbox import OutboxRelay, OutboxWriter
from mediabill_common.outbox.writer import notify_channel
from mediabill_common.testing.kafka import read_topic
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration


def _payment(writer: OutboxWriter, n: int):
    return writer.envelope("PaymentApplied", subject=f"inv-{n}", data={
        "payment_id": f"p-{n}", "invoice_id": f"inv-{n}", "bill_to_account_id": "acct", "amount": "1.00",
        "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"})


async def test_row_committed_after_later_ids_were_relayed_is_still_relayed(common_schema, database_url,
                                                                            kafka_bootstrap, unique):
    _, tables, engine, sessions = common_schema
    topic = f"test.gap.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1})
    writer = OutboxWriter(tables.outbox, source="/tests/gap")
    producer = make_producer(kafka_bootstrap, client_id="gap-test")
    await producer.start()
    relay = OutboxRelay(engine, tables.outbox, producer, database_url=database_url)
    try:
        slow = sessions()
        await slow.begin()
        early = _payment(writer, 1)
        await writer.add(slow, early, key="acct", topic=topic)  # takes the earlier id, stays uncommitted

        async with sessions.begin() as fast:
            late = _payment(writer, 2)
            await writer.add(fast, late, key="acct", topic=topic)
        assert await relay.relay_once() == 1  # only the committed, later id is visible

        await slow.commit()
        await slow.close()
        assert await relay.relay_once() == 1  # the earlier id is not skipped
        assert await relay.relay_once() == 0

        found = await read_topic(kafka_bootstrap, topic, lambda v, r: v is not None, count=2)
        assert [v["id"] for v, _ in found] == [late.id, early.id]
    finally:
        await producer.stop()


async def test_only_one_relay_leads_and_a_standby_takes_over(common_schema, database_url, kafka_bootstrap,
                                                             unique):
    _, tables, engine, sessions = common_schema
    topic = f"test.leader.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1})
    producer = make_producer(kafka_bootstrap, client_id="leader-test")
    await producer.start()
    first = OutboxRelay(engine, tables.outbox, producer, database_url=database_url, poll_interval_s=0.2)
    second = OutboxRelay(engine, tables.outbox, producer, database_url=database_url, poll_interval_s=0.2)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    t1 = asyncio.create_task(first.run(stop_first))
    await poll_until(lambda: first.is_leader, what="the first relay to lead", timeout_s=20, every_s=0.05)
    t2 = asyncio.create_task(second.run(stop_second))
    try:
        await asyncio.sleep(1)
        assert first.is_leader and not second.is_leader
        stop_first.set()
        await t1
        await poll_until(lambda: second.is_leader, what="the standby to take over", timeout_s=20, every_s=0.05)

        writer = OutboxWriter(tables.outbox, source="/tests/leader")
        async with sessions.begin() as session:
            await writer.add(session, _payment(writer, 3), key="acct", topic=topic)
        found = await read_topic(kafka_bootstrap, topic, lambda v, r: v is not None, count=1)
        assert found[0][0]["data"]["payment_id"] == "p-3"  # woken by NOTIFY, relayed by the new leader
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(t1, t2)
        await producer.stop()


async def test_an_added_row_wakes_the_relay_when_its_transaction_commits(common_schema, database_url, unique):
    _, tables, _, sessions = common_schema
    channel = notify_channel(tables.outbox.schema or "public")
    heard: asyncio.Queue = asyncio.Queue()
    listener = await asyncpg.connect(asyncpg_dsn(database_url))
    await listener.add_listener(channel, lambda _conn, _pid, name, _payload: heard.put_nowait(name))
    writer = OutboxWriter(tables.outbox, source="/tests/notify")
    try:
        async with sessions.begin() as session:
            await writer.add(session, _payment(writer, 4), key="acct", topic=f"test.notify.{unique}")
            await asyncio.sleep(0.5)
            assert heard.empty(), "PostgreSQL delivers a notification only at commit"
        assert await asyncio.wait_for(heard.get(), timeout=10) == channel
    finally:
        await listener.close()



