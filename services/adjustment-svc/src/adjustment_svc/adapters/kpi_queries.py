"""The raw figures behind GET /v1/kpis."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import adjustments, invoices, memos
from adjustment_svc.app.ports import Decision, MemoTotals
from adjustment_svc.domain.adjustment import PENDING, REJECTED
from mediabill_common.trends import NOT_RECORDED, TrendCell


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

    async def trend_cells(self, start: datetime, end: datetime, by: str,
                          bill_to_account_id: str | None) -> list[TrendCell]:
        """Requests raised in [start, end) and not rejected, per (group, month raised, currency)."""
        key = (invoices.c.bill_to_account_id if by == "bill_to_account_id"
               else func.coalesce(adjustments.c[by], NOT_RECORDED))
        month = func.to_char(func.timezone("UTC", adjustments.c.requested_at), "YYYY-MM")
        query = (select(key.label("grp"), month.label("month"), adjustments.c.currency, func.count().label("n"),
                        func.sum(adjustments.c.total).label("value"))
                 .select_from(adjustments.join(invoices, invoices.c.invoice_id == adjustments.c.invoice_id))
                 .where(adjustments.c.requested_at >= start, adjustments.c.requested_at < end,
                        adjustments.c.status != REJECTED)
                 .group_by(key, month, adjustments.c.currency))
        if bill_to_account_id:
            query = query.where(invoices.c.bill_to_account_id == bill_to_account_id)
        return [TrendCell(r.grp, r.month, r.currency, r.n, Decimal(r.value))
                for r in (await self._s.execute(query)).all()]

    async def billed_by_month(self, date_from: date, date_to: date,
                              bill_to_account_id: str | None) -> dict[tuple[str, str], Decimal]:
        """Invoice totals issued from date_from to date_to inclusive, per (month of issue, currency)."""
        month = func.to_char(invoices.c.issue_date, "YYYY-MM")
        query = (select(month.label("month"), invoices.c.currency, func.sum(invoices.c.total).label("billed"))
                 .where(invoices.c.issue_date >= date_from, invoices.c.issue_date <= date_to)
                 .group_by(month, invoices.c.currency))
        if bill_to_account_id:
            query = query.where(invoices.c.bill_to_account_id == bill_to_account_id)
        return {(r.month, r.currency): Decimal(r.billed) for r in (await self._s.execute(query)).all()}
