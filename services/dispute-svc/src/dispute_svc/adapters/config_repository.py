"""SQL for the config read model: products, accounts and contracts as billing.config.v1 carries them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.tables import SCHEMA, config_states
from mediabill_common.db.reads import fetch_all


class ConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keep_newer(self, kind: str, key: str, state_version: int, state: dict[str, Any]) -> bool:
        """Store the state unless the one held is as new or newer; True when stored."""
        stmt = insert(config_states).values(kind=kind, key=key, state_version=state_version, state=state)
        newer = stmt.on_conflict_do_update(
            index_elements=[config_states.c.kind, config_states.c.key],
            set_={"state_version": stmt.excluded.state_version, "state": stmt.excluded.state,
                  "updated_at": func.now()},
            where=config_states.c.state_version < stmt.excluded.state_version,
        ).returning(config_states.c.key)
        return (await self._session.execute(newer)).first() is not None

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return (await self.get_many([(kind, key)])).get((kind, key))

    async def get_many(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The states held of several (kind, key) in one round trip; those not held are left out."""
        if not wanted:
            return {}
        rows = await fetch_all(self._session, f"SELECT kind, key, state FROM {SCHEMA}.config_states "
                                              "WHERE (kind, key) IN (SELECT * FROM unnest(CAST(:kinds AS text[]), "
                                              "CAST(:keys AS text[])))",
                               {"kinds": [kind for kind, _ in wanted], "keys": [key for _, key in wanted]})
        return {(r["kind"], r["key"]): r["state"] for r in rows}
