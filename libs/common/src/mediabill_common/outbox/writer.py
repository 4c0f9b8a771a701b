"""Outbox writer: adds events to the outbox table inside the caller's transaction. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.events.catalog import EVENT_TYPES, Payload
from mediabill_common.events.envelope import Envelope, new_envelope
from mediabill_common.logging import correlation_id_var

# Five parameters a row: well inside PostgreSQL's 32,767 bind parameters a statement.
_ROWS_PER_INSERT = 1000


def notify_channel(schema: str) -> str:
    return f"outbox_{schema}"


class OutboxWriter:
    """Turns domain facts into outbox rows; the relay publishes them after the transaction commits."""

    def __init__(self, table: Table, *, source: str) -> None:
        self._table = table
        self._source = source
        self._channel = notify_channel(table.schema or "public")

    def envelope(self, event_type: str, *, subject: str, data: Payload | dict[str, Any],
                 causationid: str | None = None) -> Envelope:
        """Build the envelope for a catalogued event, validating `data` against its model."""
        spec = EVENT_TYPES[event_type]
        payload = data if isinstance(data, Payload) else spec.model.model_validate(data)
        return new_envelope(
            type=event_type, source=self._source, subject=subject,
            data=payload.model_dump(mode="json", exclude_none=False),
            correlationid=correlation_id_var.get(), causationid=causationid,
        )

    async def add(self, session: AsyncSession, envelope: Envelope, *, key: str, topic: str | None = None) -> None:
        """Queue `envelope` for its catalogued topic (or `topic`), keyed by `key`, in `session`'s transaction."""
        topic = topic or EVENT_TYPES[envelope.type].topic
        added = insert(self._table).values(
            topic=topic, key=key, event_id=envelope.id, event_type=envelope.type,
            envelope=envelope.model_dump(mode="json", exclude_none=True),
        ).returning(self._table.c.id).cte("added")
        # One round trip: the row, and the notification for the relay, which PostgreSQL delivers only when the
        # transaction commits (the relay wakes up then).
        await session.execute(select(func.pg_notify(literal(self._channel), literal(""))).select_from(added))

    async def add_many(self, session: AsyncSession, envelopes: list[tuple[Envelope, str]]) -> None:
        """Queue many (envelope, key) at once, each for its catalogued topic: one insert and one notification, in
        the given order (the relay publishes in outbox order)."""
        for start in range(0, len(envelopes), _ROWS_PER_INSERT):
            rows = [{"topic": EVENT_TYPES[env.type].topic, "key": key, "event_id": env.id, "event_type": env.type,
                     "envelope": env.model_dump(mode="json", exclude_none=True)}
                    for env, key in envelopes[start:start + _ROWS_PER_INSERT]]
            added = insert(self._table).values(rows).returning(self._table.c.id).cte("added")
            # The CTE's insert runs to completion whatever the outer query reads: one notification is enough.
            await session.execute(select(func.pg_notify(literal(self._channel), literal(""))).select_from(added)
                                  .limit(1))

    async def publish(self, session: AsyncSession, event_type: str, *, key: str, subject: str,
                      data: Payload | dict[str, Any], causationid: str | None = None) -> Envelope:
        """Build and queue an event in one call; returns the envelope written."""
        env = self.envelope(event_type, subject=subject, data=data, causationid=causationid)
        await self.add(session, env, key=key)
        return env
