"""Outbox relay: publishes committed outbox rows to Kafka with an idempotent producer.

Design (see docs/architecture.md, "Outbox"):
- One active relay per service schema, elected with a session-level advisory lock; standbys wait on the lock.
  A single publisher keeps per-key order (rows are sent in id order) without coordinating several relays.
- Rows are marked `sent_at` after the broker acknowledged them, instead of remembering "the last id relayed".
  A transaction that took an earlier id but commits after later ids were relayed (the commit-order gap) leaves
  its row unsent, so the next pass picks it up: nothing is skipped.
- Woken by LISTEN/NOTIFY on `outbox_<schema>`, with polling as the fallback for a missed notification.
- At-least-once towards Kafka: a crash between the broker's ack and the `sent_at` update resends the batch;
  consumers deduplicate by (source, id).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zlib
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Counter, Gauge
from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.events.envelope import CONTENT_TYPE
from mediabill_common.outbox.writer import notify_channel

log = logging.getLogger(__name__)

# The relay outlives restarts of the database and the broker: any of these ends the pass and it starts over (rows
# not yet marked sent are sent again; consumers deduplicate). SQLAlchemy wraps asyncpg's errors in DBAPIError.
_OUTAGES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError, KafkaError)

RELAYED = Counter("mediabill_outbox_relayed_total", "Outbox rows published to Kafka", ["schema"])
PENDING = Gauge("mediabill_outbox_pending", "Unsent outbox rows seen at the last pass", ["schema"])


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, table: Table, producer: AIOKafkaProducer, *, database_url: str,
                 batch_size: int = 500, poll_interval_s: float = 1.0) -> None:
        self._engine = engine
        self._table = table
        self._producer = producer
        self._dsn = asyncpg_dsn(database_url)
        self._schema = table.schema or "public"
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self.is_leader = False

    @property
    def lock_key(self) -> int:
        return zlib.crc32(f"outbox-relay:{self._schema}".encode())

    async def run(self, stop: asyncio.Event) -> None:
        """Hold leadership and relay until `stop` is set; reconnects after database failures."""
        while not stop.is_set():
            try:
                await self._run_as_leader(stop)
            except _OUTAGES as exc:
                self.is_leader = False
                log.warning("outbox relay lost its database or broker connection; retrying",
                            extra={"error": repr(exc)})
                await _sleep_or_stop(stop, 2.0)
            except Exception as exc:
                # InternalClientError on a connection broken by a database restart); it starts over, cleanly.
                self.is_leader = False
                log.exception("outbox relay failed; starting over", extra={"error": repr(exc)})
                await _sleep_or_stop(stop, 2.0)

    async def _run_as_leader(self, stop: asyncio.Event) -> None:
        conn = await asyncpg.connect(self._dsn)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.lock_key):
                self.is_leader = False
                if await _sleep_or_stop(stop, self._poll_interval_s):
                    return
            self.is_leader = True
            log.info("outbox relay is leader", extra={"schema": self._schema})
            await conn.add_listener(notify_channel(self._schema), lambda *_: self._wake.set())
            while not stop.is_set():
                self._wake.clear()
                sent = await self.relay_once()
                if sent >= self._batch_size:
                    continue
                await conn.execute("SELECT 1")  # keeps the lock's connection honest: raises if it died
                with contextlib.suppress(TimeoutError):  # polling is the fallback when no NOTIFY came
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval_s)
        finally:
            self.is_leader = False
            # terminate(), not close(): after a failure the connection may be in no state for a graceful goodbye,
            # and ending it is what releases the advisory lock for a standby.
            conn.terminate()

    async def relay_once(self) -> int:
        """Publish up to one batch of unsent rows in id order; returns how many were sent."""
        t = self._table
        async with self._engine.begin() as conn:
            rows = (await conn.execute(
                select(t.c.id, t.c.topic, t.c.key, t.c.envelope)
                .where(t.c.sent_at.is_(None)).order_by(t.c.id).limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )).all()
            PENDING.labels(self._schema).set(len(rows))
            if not rows:
                return 0
            futures = []
            for row in rows:
                value = _dumps(row.envelope)
                futures.append(await self._producer.send(
                    row.topic, value=value, key=row.key.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                ))
            await asyncio.gather(*futures)
            await conn.execute(update(t).where(t.c.id.in_([r.id for r in rows])).values(sent_at=func.now()))
        RELAYED.labels(self._schema).inc(len(rows))
        return len(rows)


def _dumps(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, separators=(",", ":")).encode()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
        return True
    except TimeoutError:
        return False
