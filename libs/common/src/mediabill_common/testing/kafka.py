"""Test helpers that talk to the real broker: publish events, read them back, flush an outbox, run a consumer."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from mediabill_common.consumer.runner import ConsumerRunner
from mediabill_common.events.catalog import EVENT_TYPES, EXTERNAL_SOURCES, INTERNAL_PRODUCERS, service_source
from mediabill_common.events.envelope import CONTENT_TYPE, Envelope, new_envelope
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.outbox.relay import OutboxRelay
from mediabill_common.service import ServiceContext
from mediabill_common.testing.polling import poll_until

R = TypeVar("R")


def producer_source(event_type: str) -> str:
    """A source that may publish `event_type` (events/sources.py): its producing service's, or one under the
    default outside prefix for deliveries and payments."""
    topic = EVENT_TYPES[event_type].topic
    if topic in INTERNAL_PRODUCERS:
        return service_source(INTERNAL_PRODUCERS[topic])
    return f"{EXTERNAL_SOURCES[topic][0]}tests"


def envelope_for(event_type: str, data: dict[str, Any], *, subject: str, source: str | None = None,
                 id: str | None = None) -> Envelope:
    """A valid envelope for a catalogued event (data is validated against the model), by default from a source
    that may publish it."""
    payload = EVENT_TYPES[event_type].model.model_validate(data)
    return new_envelope(type=event_type, source=source or producer_source(event_type), subject=subject, id=id,
                        data=payload.model_dump(mode="json"))


async def publish(bootstrap: str, topic: str, items: list[tuple[str, bytes | Envelope]]) -> None:
    """Publish (key, value) pairs in order; an Envelope value is serialised as CloudEvents JSON."""
    producer = make_producer(bootstrap, client_id=f"test-{uuid.uuid4().hex[:6]}")
    await producer.start()
    try:
        for key, value in items:
            raw = value.to_json_bytes() if isinstance(value, Envelope) else value
            await producer.send(topic, value=raw, key=key.encode(),
                                headers=[("content-type", CONTENT_TYPE.encode())])
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, predicate: Callable[[Any, Any], bool], *, count: int,
                     timeout_s: float = 30.0) -> list[tuple[Any, Any]]:
    """Read `topic` from the beginning (no group) until `count` records match `predicate(value, record)`.

    Values are parsed JSON (None if not JSON). Raises TimeoutError listing what was found.
    """
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = _Found[tuple[Any, Any]](count)
    try:
        await consumer.seek_to_beginning(*await _assigned(consumer))

        async def enough() -> _Found[tuple[Any, Any]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    value = _json_or_none(record.value)
                    if predicate(value, record):
                        found.items.append((value, record))
            return found

        await poll_until(enough, what=f"{count} matching records on {topic}", timeout_s=timeout_s, every_s=0)
        return found.items
    finally:
        await consumer.stop()


async def read_from(bootstrap: str, start: dict[TopicPartition, int], count: int,
                    timeout_s: float = 30.0) -> list[ConsumerRecord[Any, Any]]:
    """Read `count` records published after `start` (end offsets taken before publishing), as the broker returns
    them (each partition in order). Fetches are large enough for the hostile tests' oversized records."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                fetch_max_bytes=8 * 1024 * 1024, max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    found = _Found[ConsumerRecord[Any, Any]](count)
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)

        async def enough() -> _Found[ConsumerRecord[Any, Any]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found.items.extend(batch)
            return found

        await poll_until(enough, what=f"{count} records read back", timeout_s=timeout_s, every_s=0)
        return found.items
    finally:
        await consumer.stop()


@dataclass
class _Found(Generic[R]):
    """Records read so far: truthy once `count` are in, shown as how many (what a timeout reports)."""

    count: int
    items: list[R] = field(default_factory=list)

    def __bool__(self) -> bool:
        return len(self.items) >= self.count

    def __repr__(self) -> str:
        return f"{len(self.items)} of {self.count}"


async def flush_outbox(ctx: ServiceContext[Any, Any]) -> int:
    """Publish everything in a service's outbox now (what its relay process does); returns rows sent."""
    producer = make_producer(ctx.settings.kafka_bootstrap_servers, client_id="test-relay")
    await producer.start()
    try:
        relay = OutboxRelay(ctx.engine, ctx.tables.outbox, producer, database_url=ctx.settings.database_url)
        total = 0
        while sent := await relay.relay_once():
            total += sent
        return total
    finally:
        await producer.stop()


async def consume_until(ctx: ServiceContext[Any, Any],
                        make_runner: Callable[[ServiceContext[Any, Any], AIOKafkaProducer], ConsumerRunner],
                        topics: list[str], done: Callable[[], Any], *, timeout_s: float = 60.0,
                        group_id: str | None = None) -> None:
    """Run the service's real consumer loop against the broker until `await done()` is truthy."""
    await run_consumer_until(ctx.settings.kafka_bootstrap_servers, lambda producer: make_runner(ctx, producer),
                             topics, done, timeout_s=timeout_s, group_id=group_id)


async def run_consumer_until(bootstrap: str, make_runner: Callable[[AIOKafkaProducer], ConsumerRunner],
                             topics: list[str], done: Callable[[], Any], *, timeout_s: float = 60.0,
                             group_id: str | None = None, batch_size: int = 500) -> None:
    """Run a consumer loop (the runner `make_runner` builds around a real producer for dead letters) against the
    broker until `await done()` is truthy; the loop's own exception, or a timeout, fails the caller."""
    producer = make_producer(bootstrap, client_id="test-dlq")
    await producer.start()
    runner = make_runner(producer)
    group = group_id or runner.name
    consumer = make_consumer(bootstrap, group_id=group, client_id=group, topics=topics,
                             listener=runner.rebalance_listener)
    await consumer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(consumer, stop, batch_size=batch_size))
    def running() -> None:
        if task.done():
            task.result()  # surfaces the consumer's exception

    try:
        await poll_until(done, what=f"consumer {group} to reach the expected state", timeout_s=timeout_s,
                         every_s=0.2, alive=running)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await consumer.stop()
        await producer.stop()


def _json_or_none(value: bytes | None) -> Any:
    """A record's value as JSON, or None for an empty value or one that is not JSON Python can read (dead letters
    hold such values: nested thousands deep, integers of thousands of digits)."""
    if not value:
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


async def read_all(bootstrap: str, topic: str) -> list[tuple[Any, Any]]:
    """Every record on `topic` up to its current end, as (parsed JSON value or None, record)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = await _assigned(consumer)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[tuple[Any, Any]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    found.append((_json_or_none(record.value), record))
        return found
    finally:
        await consumer.stop()


async def _assigned(consumer: AIOKafkaConsumer, timeout_s: float = 15) -> list[TopicPartition]:
    """Without a group, a subscribed consumer is assigned every partition once it has the topic's metadata."""
    return sorted(await poll_until(consumer.assignment, what="partitions assigned", timeout_s=timeout_s))


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """The end offset of each partition of `topic` now (where a record published next will land)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        return dict(await consumer.end_offsets([TopicPartition(topic, p) for p in partitions]))
    finally:
        await consumer.stop()


async def start_groups_at_end(bootstrap: str, groups: list[str], topics: list[str]) -> None:
    """Commit fresh groups' offsets at the topics' current ends, so they read only what is published next."""
    offsets: dict[TopicPartition, int] = {}
    for topic in topics:
        offsets |= await end_offsets(bootstrap, topic)
    for group in groups:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=group)
        await consumer.start()
        try:
            consumer.assign(list(offsets))
            await consumer.commit(offsets)
        finally:
            await consumer.stop()
