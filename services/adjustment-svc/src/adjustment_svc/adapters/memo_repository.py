"""Issued memos and their gapless numbering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import memo_counters, memos
from adjustment_svc.app.ports import MemoRecord
from mediabill_common.money import Money


class MemoRepository:
    """app.ports.Memos over one session, and the reads of the memo API."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def next_number(self, series: str, year: int) -> int:
        """The next number of (series, year), taken in the caller's transaction.

        The counter row is locked FOR UPDATE until the issuing transaction ends, so numbers are gapless: a
        rolled-back issue gives its number back, and concurrent issues queue on the row (no sequences, which
        never give numbers back).
        """
        await self._s.execute(insert(memo_counters).values(series=series, year=year, last_number=0)
                              .on_conflict_do_nothing())
        current = (await self._s.execute(select(memo_counters.c.last_number).where(
            memo_counters.c.series == series, memo_counters.c.year == year).with_for_update())).scalar_one()
        await self._s.execute(update(memo_counters).where(memo_counters.c.series == series,
                                                          memo_counters.c.year == year)
                              .values(last_number=current + 1))
        return current + 1

    async def add(self, memo: MemoRecord) -> None:
        await self._s.execute(memos.insert().values(**memo.__dict__ | {"total": memo.total.amount,
                                                                         "currency": memo.currency}))

    async def get(self, memo_id: str) -> MemoRecord | None:
        row = (await self._s.execute(select(memos).where(memos.c.memo_id == memo_id))).first()
        return _memo(row._mapping) if row else None

    async def list(self, *, invoice_id: str | None, kind: str | None, limit: int,
                   after: tuple[datetime, str] | None, memo_number: str | None = None,
                   invoice_number: str | None = None) -> list[MemoRecord]:
        query = select(memos).order_by(memos.c.issued_at.desc(), memos.c.memo_id.desc()).limit(limit + 1)
        for column, value in ((memos.c.invoice_id, invoice_id), (memos.c.kind, kind),
                              (memos.c.memo_number, memo_number), (memos.c.invoice_number, invoice_number)):
            if value is not None:
                query = query.where(column == value)
        if after is not None:
            at, last_id = after
            query = query.where(or_(memos.c.issued_at < at, and_(memos.c.issued_at == at, memos.c.memo_id < last_id)))
        return [_memo(r._mapping) for r in (await self._s.execute(query)).all()]


def _memo(row: RowMapping) -> MemoRecord:
    """A memo from its row: the total and currency columns are its `Money`."""
    fields = {k: v for k, v in row.items() if k != "currency"}
    return MemoRecord(**fields | {"total": Money(row["total"], row["currency"])})
