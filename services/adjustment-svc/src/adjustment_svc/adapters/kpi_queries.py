"""The raw figures behind GET /v1/kpis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import adjustments, memos
from adjustment_svc.app.ports import Decision, MemoTotals
from adjustment_svc.domain.adjustment import PENDING


class KpiQueries:
    """app.ports.KpiFigures over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def memo_totals(self, start: datetime, end: datetime) -> list[MemoTotals]:
        """Memo value and count per (currency, reason, kind) for memos issued in [start, end)."""
        rows = await self._s.execute(
            select(memos.c.currency, memos.c.reason_code, memos.c.kind, func.sum(memos.c.total),
                   func.count()).where(memos.c.issued_at >= start, memos.c.issued_at < end)
            .group_by(memos.c.currency, memos.c.reason_code, memos.c.kind))
        return [MemoTotals(*r) for r in rows.all()]

    async def decisions(self, start: datetime, end: datetime) -> list[Decision]:
        """Requests finally approved or rejected in [start, end)."""
        rows = await self._s.execute(
            select(adjustments.c.requested_at, adjustments.c.decided_at, adjustments.c.status,
                   adjustments.c.approval_level).where(adjustments.c.decided_at >= start,
                                                       adjustments.c.decided_at < end))
        return [Decision(*r) for r in rows.all()]

    async def pending_requested_at(self) -> list[datetime]:
        rows = await self._s.execute(select(adjustments.c.requested_at).where(adjustments.c.status == PENDING))
        return list(rows.scalars().all())
