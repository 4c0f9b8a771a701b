"""The runner reads and decodes the next batch while the current one's transaction runs. What it read ahead is
never lost: a failed batch is read again together with what was read ahead of it (from every partition), a stopped
runner leaves what it read ahead to be read again, and a batch read before a rebalance is dropped (the rebalance
resets the positions to the committed offsets).

The consumer is a scripted stand-in for aiokafka's (a log per partition, positions, seek and commit), so which
batch is in hand and which is read ahead is certain; the inbox and the handlers' transactions are real."""

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.testing.kafka import envelope_for
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration

TOPIC = "test.ahead"


def _payment(n: int) -> bytes:
    return envelope_for("PaymentApplied", {
        "payment_id": f"p-{n}", "invoice_id": "inv", "bill_to_account_id": "acct", "amount": "1.00",
        "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"}, subject="inv").to_json_bytes()


class ScriptedConsumer:
    """A log per partition; getmany hands out records from the first partition (in order) that has any."""

    def __init__(self, logs: dict[int, list[bytes]]) -> None:
        self.logs = {TopicPartition(TOPIC, p): values for p, values in logs.items()}
        self.positions = dict.fromkeys(self.logs, 0)
        self.committed: dict[TopicPartition, int] = {}

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[ConsumerRecord]]:
        await asyncio.sleep(0)
        for tp, values in self.logs.items():
            start = self.positions[tp]
            if start < len(values):
                taken = values[start:start + max_records]
                self.positions[tp] = start + len(taken)
                return {tp: [ConsumerRecord(TOPIC, tp.partition, start + i, 0, 0, b"k", value, None, 1, len(value),
                                            []) for i, value in enumerate(taken)]}
        await asyncio.sleep(0.01)
        return {}

    def assignment(self) -> set[TopicPartition]:
        return set(self.logs)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)

    def highwater(self, tp: TopicPartition) -> int:
        return len(self.logs[tp])


class DeadLetters:
    """Takes dead letters; the first fails as if the broker were restarting when `fail_first`."""

    def __init__(self, *, fail_first: bool) -> None:
        self.failures = 0 if fail_first else 1
        self.sent = 0

    async def send_and_wait(self, *args, **kwargs) -> None:
        if self.failures == 0:
            self.failures += 1
            raise KafkaConnectionError("broker restarting")
        self.sent += 1


async def _applied(sessions, schema: str) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(text(f'SELECT payment_id FROM "{schema}".applied ORDER BY payment_id'))
        return list(rows.scalars())


async def _runner(common_schema, unique: str, producer, on_apply=None) -> tuple[ConsumerRunner, str]:
    schema, tables, engine, sessions = common_schema
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE TABLE "{schema}".applied (payment_id text)'))

    async def apply_payment(session, item) -> None:
        await session.execute(text(f'INSERT INTO "{schema}".applied VALUES (:p)'), {"p": item.payload.payment_id})
        if on_apply is not None:
            await on_apply(item.payload.payment_id)

    return ConsumerRunner(name=f"ahead-{unique}", session_factory=sessions, inbox=tables.inbox,
                          handlers={"PaymentApplied": apply_payment}, producer=producer), schema


async def _run_until(runner, consumer, stop: asyncio.Event, done, what: str, batch_size: int) -> None:
    task = asyncio.create_task(runner.run(consumer, stop, batch_size=batch_size))
    try:
        await poll_until(done, what=what, timeout_s=30, alive=lambda: task.result() if task.done() else None)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def test_a_failed_batch_is_read_again_with_what_was_read_ahead_of_it(common_schema, unique):
    dead_letters = DeadLetters(fail_first=True)
    runner, schema = await _runner(common_schema, unique, dead_letters)
    # partition 0's poison record is the batch in hand, partition 1's payments are read ahead of it
    consumer = ScriptedConsumer({0: [b"{poison"], 1: [_payment(1), _payment(2), _payment(3)]})
    sessions = common_schema[3]

    async def done() -> bool:
        return dead_letters.sent == 1 and len(await _applied(sessions, schema)) == 3

    await _run_until(runner, consumer, asyncio.Event(), done, "the poison dead-lettered and 3 payments", 10)
    assert dead_letters.failures == 1
    assert await _applied(sessions, schema) == ["p-1", "p-2", "p-3"]
    assert consumer.committed == {TopicPartition(TOPIC, 0): 1, TopicPartition(TOPIC, 1): 3}


async def test_a_stopped_runner_leaves_what_it_read_ahead_to_be_read_again(common_schema, unique):
    stop = asyncio.Event()

    async def stop_after_the_first_batch(payment_id: str) -> None:
        if payment_id == "p-2":
            stop.set()

    runner, schema = await _runner(common_schema, unique, DeadLetters(fail_first=False), stop_after_the_first_batch)
    consumer = ScriptedConsumer({0: [_payment(n) for n in range(1, 7)]})
    sessions = common_schema[3]
    await asyncio.wait_for(runner.run(consumer, stop, batch_size=2), timeout=10)
    assert await _applied(sessions, schema) == ["p-1", "p-2"]
    assert consumer.positions[TopicPartition(TOPIC, 0)] == 2  # the read-ahead of p-3 and p-4 was given back

    async def all_six() -> bool:
        return len(await _applied(sessions, schema)) == 6

    await _run_until(runner, consumer, asyncio.Event(), all_six, "the six payments applied", 2)
    assert await _applied(sessions, schema) == [f"p-{n}" for n in range(1, 7)]


async def test_a_batch_read_before_a_rebalance_is_dropped(common_schema, unique):
    listener = None

    async def rebalance_during_the_first_batch(payment_id: str) -> None:
        if payment_id == "p-1":  # what was read ahead (p-2) came before the rebalance
            await listener.on_partitions_assigned(set())

    runner, schema = await _runner(common_schema, unique, DeadLetters(fail_first=False),
                                   rebalance_during_the_first_batch)
    listener = runner.rebalance_listener
    consumer = ScriptedConsumer({0: [_payment(1), _payment(2), _payment(3)]})
    sessions = common_schema[3]
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(consumer, stop, batch_size=1))
    try:
        await poll_until(lambda: consumer.positions[TopicPartition(TOPIC, 0)], what="the log read to its end",
                         until=lambda position: position == 3, alive=lambda: task.result() if task.done() else None)
        await poll_until(lambda: _applied(sessions, schema), what="p-1 and p-3 applied",
                         until=lambda applied: applied == ["p-1", "p-3"])
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    # p-2, read ahead before the rebalance, was dropped: aiokafka would read it again from the committed offset
    assert await _applied(sessions, schema) == ["p-1", "p-3"]


async def test_a_failed_batch_does_not_wait_for_its_read_ahead_under_the_lock_a_rebalance_needs(common_schema,
                                                                                                 unique):
    # aiokafka's getmany waits for the new assignment during a rebalance, and the rebalance waits for the batch in
    # hand (the runner's lock): a failed batch that awaited its read-ahead before letting go of the lock would wait
    # forever.
    class RebalanceDuringFirstDeadLetter(DeadLetters):
        def __init__(self) -> None:
            super().__init__(fail_first=True)
            self.revoked: asyncio.Task | None = None

        async def send_and_wait(self, *args, **kwargs) -> None:
            if self.failures == 0 and self.revoked is None:
                self.revoked = asyncio.create_task(runner.rebalance_listener.on_partitions_revoked(set()))
            await super().send_and_wait(*args, **kwargs)

    class WaitsForAssignment(ScriptedConsumer):
        reassigned = False

        async def getmany(self, *, timeout_ms: int, max_records: int):
            if dead_letters.revoked is not None:
                await dead_letters.revoked  # the reassignment finishes once the revoke has had the lock
                if not self.reassigned:  # and, as aiokafka's, starts every partition at its committed offset
                    self.reassigned = True
                    self.positions = {tp: self.committed.get(tp, 0) for tp in self.logs}
            return await super().getmany(timeout_ms=timeout_ms, max_records=max_records)

    dead_letters = RebalanceDuringFirstDeadLetter()
    runner, schema = await _runner(common_schema, unique, dead_letters)
    consumer = WaitsForAssignment({0: [b"{poison"], 1: [_payment(1)]})
    sessions = common_schema[3]

    async def done() -> bool:
        return dead_letters.sent == 1 and len(await _applied(sessions, schema)) == 1

    await _run_until(runner, consumer, asyncio.Event(), done, "the poison dead-lettered and p-1 applied", 10)
    assert dead_letters.failures == 1


class KeepsDeadLetters(DeadLetters):
    def __init__(self) -> None:
        super().__init__(fail_first=False)
        self.values: list[bytes] = []

    async def send_and_wait(self, *args, **kwargs) -> None:
        await super().send_and_wait(*args, **kwargs)
        self.values.append(kwargs["value"])


async def test_a_batch_decoded_in_several_slices_is_applied_whole_its_dead_letters_in_order(common_schema, unique):
    # The read-ahead decodes a slice of records at a time, yielding between slices; a batch of 250 spans three.
    dead_letters = KeepsDeadLetters()
    runner, schema = await _runner(common_schema, unique, dead_letters)
    poison = {50: b"{poison-50", 150: b"{poison-150", 249: b"{poison-249"}
    consumer = ScriptedConsumer({0: [poison.get(n) or _payment(n) for n in range(250)]})
    sessions = common_schema[3]

    async def done() -> bool:
        return dead_letters.sent == 3 and len(await _applied(sessions, schema)) == 247

    await _run_until(runner, consumer, asyncio.Event(), done, "247 payments applied, 3 dead-lettered", 250)
    assert await _applied(sessions, schema) == sorted(f"p-{n}" for n in range(250) if n not in poison)
    assert dead_letters.values == list(poison.values())
    assert consumer.committed == {TopicPartition(TOPIC, 0): 250}


async def test_a_read_ahead_cancelled_while_it_decodes_gives_back_what_it_took(common_schema, unique):
    # A stopping runner cancels its read-ahead; one cancelled between two slices of its decoding has already
    # taken its records from the consumer, and gives them back as one still waiting for records takes none.
    class TellsWhenTaken(ScriptedConsumer):
        taken = asyncio.Event()

        async def getmany(self, *, timeout_ms: int, max_records: int):
            batches = await super().getmany(timeout_ms=timeout_ms, max_records=max_records)
            self.taken.set()
            return batches

    runner, _ = await _runner(common_schema, unique, DeadLetters(fail_first=False))
    consumer = TellsWhenTaken({0: [_payment(n) for n in range(250)]})
    tp = TopicPartition(TOPIC, 0)
    read = asyncio.create_task(runner._fetch(consumer, 250))
    await consumer.taken.wait()  # the read goes on to the end of its first slice before this resumes
    assert consumer.positions[tp] == 250 and not read.done()  # the records taken, the decoding under way
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read
    assert consumer.positions[tp] == 0
