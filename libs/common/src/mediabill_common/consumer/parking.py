"""Events about something not seen yet are parked, then replayed when the referenced thing arrives."""

from __future__ import annotations

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.events.envelope import Envelope


class ParkingLot:
    def __init__(self, table: Table, consumer: str) -> None:
        self._table = table
        self._consumer = consumer

    async def park(self, session: AsyncSession, envelope: Envelope, *, waiting_for: str) -> None:
        """Keep `envelope` until `waiting_for` (e.g. an invoice id) shows up."""
        await session.execute(insert(self._table).values(
            consumer=self._consumer, waiting_for=waiting_for, event_id=envelope.id,
            envelope=envelope.model_dump(mode="json", exclude_none=True),
        ))

    async def release(self, session: AsyncSession, waiting_for: str) -> list[Envelope]:
        """Remove and return, in arrival order, the events that were waiting for `waiting_for`."""
        t = self._table
        rows = (await session.execute(
            select(t.c.id, t.c.envelope).where(t.c.consumer == self._consumer, t.c.waiting_for == waiting_for)
            .order_by(t.c.id).with_for_update()
        )).all()
        if rows:
            await session.execute(delete(t).where(t.c.id.in_([r.id for r in rows])))
        return [Envelope.model_validate(r.envelope) for r in rows]

    async def release_many(self, session: AsyncSession, keys: list[str]) -> list[tuple[str, Envelope]]:
        """`release` for many keys in one round trip: (key, envelope) in arrival order."""
        if not keys:
            return []
        t = self._table
        rows = (await session.execute(
            select(t.c.id, t.c.waiting_for, t.c.envelope)
            .where(t.c.consumer == self._consumer, t.c.waiting_for.in_(keys))
            .order_by(t.c.id).with_for_update()
        )).all()
        if rows:
            await session.execute(delete(t).where(t.c.id.in_([r.id for r in rows])))
        return [(r.waiting_for, Envelope.model_validate(r.envelope)) for r in rows]

    async def waiting(self, session: AsyncSession, older_than_s: float | None = None) -> list[tuple[str, Envelope]]:
        """What is parked (optionally only what has waited longer than `older_than_s`)."""
        t = self._table
        query = select(t.c.waiting_for, t.c.envelope).where(t.c.consumer == self._consumer).order_by(t.c.id)
        if older_than_s is not None:
            query = query.where(t.c.parked_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than_s))
        rows = (await session.execute(query)).all()
        return [(r.waiting_for, Envelope.model_validate(r.envelope)) for r in rows]
