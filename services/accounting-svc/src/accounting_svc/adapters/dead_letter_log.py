"""What accounting-svc's consumer dead-lettered, kept in its own schema so the close checklist can see it (close.md
C10: the journal is complete only if nothing was dead-lettered). The record itself is on `<topic>.dlq`."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from aiokafka.structs import ConsumerRecord
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounting_svc.adapters.tables import dead_letters
from accounting_svc.app.ports import DeadLetterRecord
from mediabill_common.consumer import is_transient
from mediabill_common.kafka.dead_letter import bounded_reason

log = logging.getLogger(__name__)


def storable(text: str) -> str:
    """Text PostgreSQL can hold: a record's id, type or source may carry NUL, which `text` refuses."""
    return text.replace("\x00", "")


def _envelope_field(envelope: Any, name: str, limit: int) -> str | None:
    value = envelope.get(name) if isinstance(envelope, dict) else None
    return storable(value)[:limit] if isinstance(value, str) else None


def envelope_of(value: bytes | None) -> Any:
    """The record's value as JSON when it is readable JSON at all (a dead letter need not be)."""
    try:
        return json.loads(value) if value else None
    except (ValueError, RecursionError):
        return None


class DeadLetterLog:
    """Records each dead letter once (by topic, partition and offset: a batch read again after a failure may
    dead-letter the same record twice), in a transaction of its own. The database being away raises (the batch is
    read again); any other failure is logged and the consumer goes on, since the letter is on its topic already and
    a consumer stalled on its bookkeeping would be worse than a checklist that misses it."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], consumer: str) -> None:
        self._sessions, self._consumer = sessions, consumer

    async def record(self, record: ConsumerRecord, reason: str) -> None:
        envelope = envelope_of(record.value)
        row = {"consumer": self._consumer, "topic": record.topic, "partition": record.partition,
               "offset": record.offset, "event_id": _envelope_field(envelope, "id", 200),
               "event_type": _envelope_field(envelope, "type", 100),
               "source": _envelope_field(envelope, "source", 200), "reason": storable(bounded_reason(reason))}
        try:
            async with self._sessions.begin() as session:
                await session.execute(insert(dead_letters).values(**row).on_conflict_do_nothing(
                    index_elements=["consumer", "topic", "partition", "offset"]))
        except Exception as exc:
            if is_transient(exc):
                raise
            log.exception("dead letter not recorded for the close checklist", extra={
                "consumer": self._consumer, "topic": record.topic, "offset": record.offset})


def _record(row: Any) -> DeadLetterRecord:
    return DeadLetterRecord(row.id, row.consumer, row.event_id, row.event_type, row.source, row.topic, row.partition,
                            row.offset, row.reason, row.dead_lettered_at, row.dismissed_at, row.dismissed_by,
                            row.dismiss_reason)


class DeadLetterRepository:
    """The recorded dead letters over one session (`DeadLetters`): listed newest first, dismissed one by one."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def page(self, *, outstanding_only: bool, before_id: int | None, limit: int) -> list[DeadLetterRecord]:
        query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
        if outstanding_only:
            query = query.where(dead_letters.c.dismissed_at.is_(None))
        if before_id is not None:
            query = query.where(dead_letters.c.id < before_id)
        return [_record(r) for r in await self._s.execute(query)]

    async def get(self, letter_id: int, *, for_update: bool = False) -> DeadLetterRecord | None:
        query = select(dead_letters).where(dead_letters.c.id == letter_id)
        row = (await self._s.execute(query.with_for_update() if for_update else query)).first()
        return _record(row) if row is not None else None

    async def dismiss(self, letter_id: int, *, by: str, reason: str, at: datetime) -> DeadLetterRecord:
        row = (await self._s.execute(update(dead_letters).where(dead_letters.c.id == letter_id)
                                     .values(dismissed_at=at, dismissed_by=by, dismiss_reason=reason)
                                     .returning(*dead_letters.c))).one()
        return _record(row)
