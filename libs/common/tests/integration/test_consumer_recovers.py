"""A batch that fails outside its handlers (the broker refuses the dead letter) is read again from its first
offsets: nothing is skipped, and what was applied is not applied twice."""

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import text

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import envelope_for, publish, read_all
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration


class BrokerAwayOnce:
    """Delegates to a real producer, but the first dead letter fails as if the broker were restarting."""

    def __init__(self, producer) -> None:
        self._producer = producer
        self.failures = 0

    async def send_and_wait(self, *args, **kwargs):
        if self.failures == 0:
            self.failures += 1
            raise KafkaConnectionError("broker restarting")
        return await self._producer.send_and_wait(*args, **kwargs)


async def test_failed_batch_is_read_again_without_loss_or_double_apply(common_schema, kafka_bootstrap, unique):
    schema, tables, engine, sessions = common_schema
    topic = f"test.recover.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE TABLE "{schema}".applied (payment_id text)'))

    async def apply_payment(session, item) -> None:
        await session.execute(text(f'INSERT INTO "{schema}".applied VALUES (:p)'), {"p": item.payload.payment_id})

    payment = envelope_for("PaymentApplied", {
        "payment_id": "p-1", "invoice_id": "inv", "bill_to_account_id": "acct", "amount": "1.00", "currency": "USD",
        "applied_at": "2026-11-01T00:00:00Z"}, subject="inv")
    await publish(kafka_bootstrap, topic, [("k", payment), ("k", b"{broken")])
    producer = make_producer(kafka_bootstrap, client_id="recover-test")
    await producer.start()
    flaky = BrokerAwayOnce(producer)
    runner = ConsumerRunner(name=f"recover-{unique}", session_factory=sessions, inbox=tables.inbox,
                            handlers={"PaymentApplied": apply_payment}, producer=flaky)
    consumer = make_consumer(kafka_bootstrap, group_id=f"recover-{unique}", client_id="recover", topics=[topic],
                             listener=runner.rebalance_listener)
    await consumer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(consumer, stop))
    try:
        async def dead_lettered() -> bool:
            return bool(flaky.failures) and len(await read_all(kafka_bootstrap, f"{topic}.dlq")) == 1

        def running() -> None:
            assert not task.done(), "the consumer loop must survive the failed batch"

        await poll_until(dead_lettered, what="the failed batch's dead letter", timeout_s=20, alive=running)
        assert not task.done(), "the consumer loop must survive the failed batch"
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await consumer.stop()
        await producer.stop()
    assert flaky.failures == 1
    assert len(await read_all(kafka_bootstrap, f"{topic}.dlq")) == 1
    async with sessions() as session:
        applied = (await session.execute(text(f'SELECT payment_id FROM "{schema}".applied'))).scalars().all()
    assert applied == ["p-1"]
