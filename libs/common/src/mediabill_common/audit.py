"""The audit trail: who did what to which entity, when, why, with before/after states."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.logging import correlation_id_var
from mediabill_common.web.deps import Ctx, Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.security import CurrentPrincipal


class AuditEntry(BaseModel):
    id: int
    entity_type: str
    entity_id: str
    action: str
    actor: str
    at: datetime
    reason: str | None
    before: Any | None
    after: Any | None
    correlation_id: str | None


class AuditTrail:
    def __init__(self, table: Table) -> None:
        self._table = table

    async def record(self, session: AsyncSession, *, actor: str, action: str, entity_type: str, entity_id: str,
                     reason: str | None = None, before: Any = None, after: Any = None) -> None:
        """Append an entry in the caller's transaction (so it exists exactly when the change does)."""
        await session.execute(insert(self._table).values(
            entity_type=entity_type, entity_id=entity_id, action=action, actor=actor, reason=reason,
            before=before, after=after, correlation_id=correlation_id_var.get(),
        ))

    async def list(self, session: AsyncSession, *, entity_type: str | None, entity_id: str | None,
                   actor: str | None, limit: int, cursor: str | None) -> Page[AuditEntry]:
        t = self._table
        query = select(t).order_by(t.c.id.desc()).limit(limit + 1)
        if entity_type:
            query = query.where(t.c.entity_type == entity_type)
        if entity_id:
            query = query.where(t.c.entity_id == entity_id)
        if actor:
            query = query.where(t.c.actor == actor)
        position = decode_cursor(cursor)
        if position:
            query = query.where(t.c.id < int(position.get("id", 0)))
        rows = [AuditEntry.model_validate(r._mapping) for r in (await session.execute(query)).all()]
        return page_of(rows, limit, lambda e: {"id": e.id})


def audit_router() -> APIRouter:
    """`GET /v1/audit` for a service; every authenticated caller may read it."""
    router = APIRouter(tags=["audit"])

    @router.get("/v1/audit", response_model=Page[AuditEntry], summary="The audit trail, newest first")
    async def list_audit(
        ctx: Ctx, session: Session, _principal: CurrentPrincipal,
        entity_type: str | None = Query(None), entity_id: str | None = Query(None),
        actor: str | None = Query(None), limit: Limit = 50, cursor: Cursor = None,
    ) -> Page[AuditEntry]:
        return await ctx.audit.list(session, entity_type=entity_type, entity_id=entity_id, actor=actor,
                                         limit=limit, cursor=cursor)

    return router
