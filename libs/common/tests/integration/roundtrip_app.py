"""A minimal producer/relay/consumer trio built only from libs/common, run as separate OS processes by
test_outbox_to_inbox_across_processes.py.

python roundtrip_app.py setup|writer|relay|consumer --schema S --topic T --count N
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from sqlalchemy import BigInteger, Column, Identity, Integer, String, Table, insert, text

from mediabill_common.consumer import ConsumerRunner, Received
from mediabill_common.db import define_common_tables, make_metadata
from mediabill_common.db.engine import make_engine, make_session_factory
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.outbox import OutboxRelay, OutboxWriter

KEYS = 20


def tables(schema: str):
    metadata = make_metadata(schema)
    common = define_common_tables(metadata)
    received = Table("received", metadata,
                     Column("id", BigInteger, Identity(always=True), primary_key=True),
                     Column("key", String(50), nullable=False), Column("seq", Integer, nullable=False),
                     Column("event_id", String(100), nullable=False))
    return metadata, common, received


async def setup(args) -> None:
    metadata, _, _ = tables(args.schema)
    engine = make_engine(os.environ["DATABASE_URL"])
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{args.schema}"'))
        await conn.run_sync(metadata.create_all)
    await engine.dispose()


async def writer(args) -> None:
    _, common, _ = tables(args.schema)
    engine = make_engine(os.environ["DATABASE_URL"])
    sessions = make_session_factory(engine)
    outbox = OutboxWriter(common.outbox, source="/collections/roundtrip")  # may publish PaymentApplied
    per_tx = 25
    for start in range(0, args.count, per_tx):
        async with sessions.begin() as session:
            for n in range(start, min(start + per_tx, args.count)):
                key, seq = f"acct-{n % KEYS}", n // KEYS
                env = outbox.envelope("PaymentApplied", subject=key, data={
                    "payment_id": f"{key}:{seq}", "invoice_id": key, "bill_to_account_id": key,
                    "amount": str(seq), "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"})
                await outbox.add(session, env, key=key, topic=args.topic)
        await asyncio.sleep(0.03)  # a steady stream, so the kills land mid-stream
    await engine.dispose()


async def relay(args) -> None:
    _, common, _ = tables(args.schema)
    engine = make_engine(os.environ["DATABASE_URL"])
    producer = make_producer(os.environ["KAFKA_BOOTSTRAP_SERVERS"], client_id="roundtrip-relay")
    await producer.start()
    stop = asyncio.Event()
    await OutboxRelay(engine, common.outbox, producer, database_url=os.environ["DATABASE_URL"],
                      batch_size=200, poll_interval_s=0.5).run(stop)


async def consumer(args) -> None:
    _, common, received = tables(args.schema)
    engine = make_engine(os.environ["DATABASE_URL"])
    sessions = make_session_factory(engine)

    async def record_payment(session, item: Received) -> None:
        key, seq = item.payload.payment_id.split(":")
        await session.execute(insert(received).values(key=key, seq=int(seq), event_id=item.envelope.id))

    producer = make_producer(os.environ["KAFKA_BOOTSTRAP_SERVERS"], client_id="roundtrip-dlq")
    await producer.start()
    runner = ConsumerRunner(name="roundtrip", session_factory=sessions, inbox=common.inbox,
                            handlers={"PaymentApplied": record_payment}, producer=producer)
    kafka = make_consumer(os.environ["KAFKA_BOOTSTRAP_SERVERS"], group_id=f"roundtrip-{args.schema}",
                          client_id="roundtrip", topics=[args.topic], max_poll_records=200,
                          listener=runner.rebalance_listener)
    await kafka.start()
    await runner.run(kafka, asyncio.Event(), batch_size=200)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["setup", "writer", "relay", "consumer"])
    parser.add_argument("--schema", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(globals()[args.role](args))


if __name__ == "__main__":
    sys.exit(main())
