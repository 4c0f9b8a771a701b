"""Crosswalks: each delivery source's line item ids mapped to ours (oversight.md O1)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.config_tables import source_crosswalks
from invoice_svc.adapters.tables import SCHEMA

# The batch's (source_system, line item id) pairs a crosswalk maps: one probe of the primary key each.
_MAPPED = text(f"""
    SELECT c.source_system, c.source_line_item_id, c.line_item_id
      FROM unnest(CAST(:systems AS text[]), CAST(:items AS text[])) AS k(source_system, source_line_item_id)
      JOIN {SCHEMA}.source_crosswalks c USING (source_system, source_line_item_id)""")


# Records of one of our line items come on one partition (its id is the message key), except those of a source
# whose crosswalk maps its own ids to ours: those come keyed by the source's id, possibly on another partition that
# another consumer (a second runner or replica) reads at the same time. The first-seen rule (which source bills a
# service day) must then decide each such line item's days one transaction at a time: each transaction locks, until
# it ends, the line items of its batch that some crosswalk maps to, in one order (no deadlock among them). A line item
# no crosswalk maps to takes no lock.
_LOCK_SHARED_LINE_ITEMS = text(f"""
    SELECT pg_advisory_xact_lock(k.h) FROM (
        SELECT DISTINCT hashtextextended('invoice_svc:first_seen:' || c.line_item_id, 0) AS h
          FROM {SCHEMA}.source_crosswalks c
         WHERE c.line_item_id = ANY(CAST(:items AS text[]))
         ORDER BY h) AS k""")


class CrosswalkRepository:
    """The crosswalks over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_source(self, source_system: str) -> dict[str, str]:
        """The source's crosswalk: its line item id -> ours (empty when none is loaded)."""
        t = source_crosswalks
        rows = await self._session.execute(select(t.c.source_line_item_id, t.c.line_item_id)
                                           .where(t.c.source_system == source_system)
                                           .order_by(t.c.source_line_item_id))
        return {theirs: ours for theirs, ours in rows.all()}

    async def replace(self, source_system: str, line_items: Mapping[str, str]) -> None:
        """Replace the source's whole crosswalk."""
        t = source_crosswalks
        await self._session.execute(delete(t).where(t.c.source_system == source_system))
        if line_items:
            await self._session.execute(insert(t), [
                {"source_system": source_system, "source_line_item_id": theirs, "line_item_id": ours}
                for theirs, ours in line_items.items()])

    async def mapped(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Our line item id for each (source_system, their line item id) of `keys` a crosswalk maps."""
        if not keys:
            return {}
        rows = await self._session.execute(_MAPPED, {"systems": [s for s, _ in keys], "items": [i for _, i in keys]})
        return {(system, theirs): ours for system, theirs, ours in rows.all()}

    async def lock_shared_line_items(self, line_items: Collection[str]) -> None:
        """Lock, until the transaction ends, those of our `line_items` that a crosswalk maps another source's ids
        to (their records may be read by several consumers at once: see _LOCK_SHARED_LINE_ITEMS)."""
        if line_items:
            await self._session.execute(_LOCK_SHARED_LINE_ITEMS, {"items": list(line_items)})
