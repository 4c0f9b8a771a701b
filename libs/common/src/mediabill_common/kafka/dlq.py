"""Inspect and replay a dead-letter topic.

    python -m mediabill_common.kafka.dlq show   ads.delivery.v1.dlq [--limit 20]
    python -m mediabill_common.kafka.dlq replay ads.delivery.v1.dlq [--dry-run]

`replay` republishes each dead letter, unchanged and with its original key, to the topic it came from (its
`dlq-original-topic` header), once: progress is kept in the consumer group `mediabill-dlq-replay.<topic>`, so a
second run replays only what arrived since. Fix the cause first (a consumer bug, missing configuration): the
consumers deduplicate by event id, so a replayed event that was in fact applied changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer

from mediabill_common.kafka import make_producer
from mediabill_common.kafka.dead_letter import original_headers_of
from mediabill_common.kafka.security import client_kwargs


def original_topic(dlq_topic: str, headers: dict[str, bytes]) -> str:
    return headers.get("dlq-original-topic", dlq_topic.removesuffix(".dlq").encode()).decode()


async def replay(bootstrap: str, dlq_topic: str, *, dry_run: bool = False, idle_s: float = 2.0) -> int:
    """Republish every dead letter not replayed before; returns how many were (or would be) replayed."""
    consumer = AIOKafkaConsumer(dlq_topic, bootstrap_servers=bootstrap, group_id=f"mediabill-dlq-replay.{dlq_topic}",
                                enable_auto_commit=False, auto_offset_reset="earliest", **client_kwargs())
    producer = make_producer(bootstrap, client_id="mediabill-dlq-replay")
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while batches := await consumer.getmany(timeout_ms=int(idle_s * 1000)):
            for records in batches.values():
                for record in records:
                    headers = dict(record.headers or [])
                    target = original_topic(dlq_topic, headers)
                    if "dlq-value-truncated" in headers:
                        # Only the start of the value was kept: sending that back would be a different message.
                        print(f"skipping offset {record.offset}: its value was truncated from "
                              f"{headers['dlq-value-truncated'].decode()} bytes; the original is at {target} "
                              f"partition {headers.get('dlq-original-partition', b'?').decode()} offset "
                              f"{headers.get('dlq-original-offset', b'?').decode()}")
                        continue
                    print(f"{'would replay' if dry_run else 'replaying'} offset {record.offset} -> {target}: "
                          f"{headers.get('dlq-reason', b'?').decode()[:120]}")
                    if not dry_run:
                        kept = original_headers_of(record.headers or [])
                        kept.append(("dlq-replayed-at", datetime.now(UTC).isoformat().encode()))
                        await producer.send_and_wait(target, value=record.value, key=record.key, headers=kept)
                    replayed += 1
            if not dry_run:
                await consumer.commit()
        return replayed
    finally:
        await producer.stop()
        await consumer.stop()


async def show(bootstrap: str, dlq_topic: str, limit: int) -> None:
    consumer = AIOKafkaConsumer(dlq_topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                                **client_kwargs())
    await consumer.start()
    shown = 0
    try:
        while shown < limit and (batches := await consumer.getmany(timeout_ms=2000)):
            for records in batches.values():
                for record in records[: limit - shown]:
                    headers = {k: v.decode(errors="replace") for k, v in record.headers or []}
                    print(f"[{record.partition}:{record.offset}] key={record.key!r} from={headers.get('dlq-consumer')}"
                          f" at={headers.get('dlq-at')}\n    reason: {headers.get('dlq-reason')}")
                    shown += 1
    finally:
        await consumer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediabill_common.kafka.dlq", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["show", "replay"])
    parser.add_argument("topic", help="the dead-letter topic, e.g. ads.delivery.v1.dlq")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092"))
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    if not args.topic.endswith(".dlq"):
        parser.error("give a dead-letter topic (<topic>.dlq)")
    if args.command == "show":
        asyncio.run(show(args.bootstrap, args.topic, args.limit))
    else:
        count = asyncio.run(replay(args.bootstrap, args.topic, dry_run=args.dry_run))
        print(f"{count} dead letters {'would be ' if args.dry_run else ''}replayed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
