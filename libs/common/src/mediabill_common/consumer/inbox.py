"""The inbox: which events a consumer has applied, keyed by (consumer, source, event id).

A row is inserted in the same transaction as the event's effects, so an event read twice (a redelivery, a replayed
dead letter) is applied once. The row keeps a SHA-256 of the event's `data`: an event that comes again with the same
(source, id) but other data is not a duplicate but a producer reusing an id, and the caller dead-letters it instead
of dropping it silently.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.consumer.decode import Received


def data_digest(item: Received) -> bytes:
    """SHA-256 of the event's data with its keys sorted (the same data however a producer ordered it)."""
    try:
        canonical = json.dumps(item.envelope.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, RecursionError):  # data json.dumps cannot write back: the bytes as received then
        return hashlib.sha256(item.record.value or b"").digest()
    return hashlib.sha256(canonical.encode()).digest()


@dataclass(frozen=True)
class Claim:
    fresh: list[Received]  # seen for the first time, in arrival order: apply these
    reused: list[Received]  # an id already applied with other data: dead-letter these
    duplicates: int  # seen before with the same data (or a digest from before digests were kept): skip


def reuse_reason(item: Received) -> str:
    return (f"event id {item.envelope.id[:200]!r} from {item.envelope.source[:200]!r} was already applied with "
            "other data: a producer reused the id; this event was not applied")


class Inbox:
    def __init__(self, table: Table, consumer: str) -> None:
        self._consumer = consumer
        name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
        # Returns the events already in the inbox (those it did not insert): usually none, where returning the
        # inserted ones meant a row back per event.
        self._claim_sql = text(
            f'WITH claimed AS (INSERT INTO {name} (consumer, source, event_id, event_type, topic, "partition", '
            '"offset", data_sha256) '
            "SELECT CAST(:consumer AS varchar), * FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[]), "
            "CAST(:types AS varchar[]), CAST(:topics AS varchar[]), CAST(:partitions AS int[]), "
            "CAST(:offsets AS bigint[]), CAST(:digests AS bytea[])) ON CONFLICT DO NOTHING RETURNING source, event_id) "
            "SELECT * FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[])) AS batch(source, event_id) "
            "EXCEPT ALL SELECT source, event_id FROM claimed")
        self._digests_sql = text(
            f"SELECT source, event_id, data_sha256 FROM {name} WHERE consumer = :consumer AND (source, event_id) IN "
            "(SELECT * FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[])))")

    async def claim(self, session: AsyncSession, items: list[Received]) -> Claim:
        """Insert a row per event not seen before; tell apart the new, the duplicates and the reused ids."""
        unique: dict[tuple[str, str], tuple[Received, bytes]] = {}
        reused: list[Received] = []
        duplicates = 0
        for item in items:
            key, digest = (item.envelope.source, item.envelope.id), data_digest(item)
            first = unique.setdefault(key, (item, digest))
            if first[0] is not item:
                if first[1] == digest:
                    duplicates += 1
                else:
                    reused.append(item)
        # One statement with array parameters: a multi-row VALUES insert costs SQLAlchemy a fresh compile of
        # thousands of bind parameters per batch, which dominated high-volume consumers.
        entries = list(unique.items())
        sources, ids = [s for (s, _), _ in entries], [i for (_, i), _ in entries]
        result = await session.execute(self._claim_sql, {
            "consumer": self._consumer, "sources": sources, "ids": ids,
            "types": [r.envelope.type for _, (r, _) in entries], "topics": [r.record.topic for _, (r, _) in entries],
            "partitions": [r.record.partition for _, (r, _) in entries],
            "offsets": [r.record.offset for _, (r, _) in entries], "digests": [d for _, (_, d) in entries],
        })
        seen_before = {(source, event_id) for source, event_id in result.all()}
        if seen_before:
            stored = await self._stored_digests(session, seen_before)
            for key in seen_before:
                item, digest = unique[key]
                if stored.get(key) not in (None, digest):
                    reused.append(item)
                else:
                    duplicates += 1
        return Claim([r for key, (r, _) in unique.items() if key not in seen_before], reused, duplicates)

    async def _stored_digests(self, session: AsyncSession, keys: set[tuple[str, str]]) \
            -> dict[tuple[str, str], bytes | None]:
        rows = await session.execute(self._digests_sql, {"consumer": self._consumer,
                                                         "sources": [s for s, _ in keys], "ids": [i for _, i in keys]})
        return {(source, event_id): digest for source, event_id, digest in rows.all()}
