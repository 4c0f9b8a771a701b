"""SQL for the SLA policy document (one row, versioned for ETag / If-Match)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.tables import sla_policy

_ROW_ID = 1


class SlaPolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, *, for_update: bool = False) -> tuple[dict[str, Any], int] | None:
        """The stored policy and its version, or None while the defaults of the rules apply."""
        query = select(sla_policy).where(sla_policy.c.id == _ROW_ID)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else (row.policy, row.version)

    async def put(self, policy: dict[str, Any], version: int, updated_by: str) -> None:
        stmt = insert(sla_policy).values(id=_ROW_ID, version=version, policy=policy, updated_by=updated_by)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=[sla_policy.c.id],
            set_={"version": stmt.excluded.version, "policy": stmt.excluded.policy,
                  "updated_by": stmt.excluded.updated_by, "updated_at": stmt.excluded.updated_at}))
