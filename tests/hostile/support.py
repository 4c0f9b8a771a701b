"""Driving a service's real consumer with hostile records read back from the real broker."""

from __future__ import annotations

from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from mediabill_common.events.envelope import CONTENT_TYPE
from mediabill_common.kafka import make_producer
from mediabill_common.testing.kafka import end_offsets, read_from, read_topic


class HostileFeed:
    """Publishes raw (key, bytes | None) records to a real topic, reads them back from the broker and hands them to
    the service's real ConsumerRunner in one batch, in publication order (all records share one key)."""

    def __init__(self, ctx, bootstrap: str, make_runner: Callable) -> None:
        self.ctx, self.bootstrap, self._make_runner = ctx, bootstrap, make_runner
        self.producer = None
        self.runner = None

    async def __aenter__(self) -> HostileFeed:
        self.producer = make_producer(self.bootstrap, client_id="hostile-tests")
        await self.producer.start()
        self.runner = self._make_runner(self.ctx, self.producer)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.producer.stop()

    async def send(self, topic: str, items: list[tuple[str, bytes | None]]) -> list[ConsumerRecord]:
        start = await end_offsets(self.bootstrap, topic)
        for key, value in items:
            await self.producer.send(topic, value=value, key=key.encode(),
                                     headers=[("content-type", CONTENT_TYPE.encode())])
        await self.producer.flush()
        records = sorted(await read_from(self.bootstrap, start, len(items)), key=lambda r: (r.partition, r.offset))
        await self.runner.process(records)
        return records


async def dead_letters(bootstrap: str, topic: str, records: list[ConsumerRecord], consumer: str) -> dict[int, str]:
    """The dlq-reason `consumer` gave each of `records` on `<topic>.dlq`, by original offset. (Other processes on the
    shared broker may dead-letter the same records too: only the first letter per record from `consumer` counts.)"""
    wanted = {(r.partition, r.offset) for r in records}
    seen: set[tuple[int, int]] = set()

    def ours(_value, record) -> bool:
        headers = dict(record.headers or [])
        if headers.get("dlq-original-topic") != topic.encode() or headers.get("dlq-consumer") != consumer.encode():
            return False
        where = (int(headers.get("dlq-original-partition", b"-1")), int(headers.get("dlq-original-offset", b"-1")))
        if where not in wanted or where in seen:
            return False
        seen.add(where)
        return True

    found = await read_topic(bootstrap, f"{topic}.dlq", ours, count=len(records))
    return {int(dict(r.headers)["dlq-original-offset"]): dict(r.headers)["dlq-reason"].decode() for _, r in found}


async def committed_offset(bootstrap: str, group: str, topic: str, partition: int = 0) -> int | None:
    """The offset `group` has committed on a partition of `topic` (None before its first commit)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, partition))
    finally:
        await consumer.stop()
