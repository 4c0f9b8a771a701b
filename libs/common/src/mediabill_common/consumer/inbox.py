"""The inbox: which events a consumer has applied, keyed by (consumer, source, event id).

A row is inserted in the same transaction as the event's effects, so an event read twice (a redelivery, a replayed
dead letter) is applied once. The row keeps a SHA-256 of the event's `data`: an event that comes again with the same
(source, id) but other data is not a duplicate but a producer reusing an id, and the caller dead-letters it instead
of dropping it silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.consumer.decode import Received


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
        # One statement, whatever the inbox holds: it inserts the new events and returns the keys of those already
        # there, each marked `reused` when its stored digest differs from ours. The stored row is reached only
        # through the insert's own conflict check on the primary key (ON CONFLICT ... DO UPDATE with a WHERE that
        # holds only for another digest), never through a plan of its own: a separate look-up of the stored
        # digests was planned once while the inbox was small and scanned it once it had grown. The update writes
        # the stored digest back unchanged, and only for a reused id (a producer's fault, rare); like any DO UPDATE
        # it locks each conflicting row until commit and sees the latest committed version, as the separate
        # look-up in its own statement did. Rows with no digest (from before digests were kept) count as
        # duplicates. Usually no row comes back, where returning the inserted ones meant a row back per event.
        self._claim_sql = text(
            f'WITH claimed AS (INSERT INTO {name} AS stored (consumer, source, event_id, event_type, topic, '
            '"partition", "offset", data_sha256) '
            "SELECT CAST(:consumer AS varchar), * FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[]), "
            "CAST(:types AS varchar[]), CAST(:topics AS varchar[]), CAST(:partitions AS int[]), "
            "CAST(:offsets AS bigint[]), CAST(:digests AS bytea[])) "
            "ON CONFLICT (consumer, source, event_id) DO UPDATE SET data_sha256 = stored.data_sha256 "
            "WHERE stored.data_sha256 <> excluded.data_sha256 "
            "RETURNING source, event_id, xmax = 0 AS inserted) "
            "SELECT source, event_id, true AS reused FROM claimed WHERE NOT inserted "
            "UNION ALL SELECT source, event_id, false FROM ("
            "SELECT * FROM unnest(CAST(:sources AS varchar[]), CAST(:ids AS varchar[])) AS batch(source, event_id) "
            "EXCEPT ALL SELECT source, event_id FROM claimed) AS duplicate")

    async def claim(self, session: AsyncSession, items: list[Received]) -> Claim:
        """Insert a row per event not seen before; tell apart the new, the duplicates and the reused ids."""
        unique: dict[tuple[str, str], tuple[Received, bytes]] = {}
        reused: list[Received] = []
        duplicates = 0
        for item in items:
            key, digest = (item.envelope.source, item.envelope.id), item.data_sha256
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
        seen_before = set()
        for source, event_id, is_reused in result.all():
            seen_before.add((source, event_id))
            if is_reused:
                reused.append(unique[source, event_id][0])
            else:
                duplicates += 1
        return Claim([r for key, (r, _) in unique.items() if key not in seen_before], reused, duplicates)
