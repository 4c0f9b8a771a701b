"""The change log: every configuration change becomes a billing.config.v1 event (via the outbox) and an audit
entry, both in the caller's transaction, so they exist exactly when the change does."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.audit import AuditTrail
from mediabill_common.outbox.writer import OutboxWriter


def _json(state: Any) -> Any:
    return state.model_dump(mode="json") if hasattr(state, "model_dump") else state


class OutboxChangeLog:
    def __init__(self, session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail, actor: str) -> None:
        self._session = session
        self._outbox = outbox
        self._audit = audit
        self._actor = actor

    async def record(self, *, event_type: str, entity_type: str, key: str, state: Any, version: int,
                     action: str, before: Any, reason: str | None) -> None:
        after = _json(state)
        # Event-carried state transfer: the full current state with its version, keyed by the aggregate.
        await self._outbox.publish(self._session, event_type, key=key, subject=key,
                                   data={"state_version": version, entity_type: after})
        await self._audit.record(self._session, actor=self._actor, action=action, entity_type=entity_type,
                                 entity_id=key, reason=reason, before=_json(before), after=after)
