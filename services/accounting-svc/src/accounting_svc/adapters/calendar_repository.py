"""The period calendar (C10, C11) and the chart-of-accounts mapping (C8)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.tables import chart_of_accounts, periods
from accounting_svc.app.ports import PeriodRecord
from accounting_svc.domain.chart import ChartOfAccounts

# Postings read which periods are closed under a shared lock; a close or reopen holds it exclusively, so no entry
# lands in a period while it closes.
_CALENDAR_LOCK = "SELECT pg_advisory_xact_lock{mode}(hashtext('accounting_svc:calendar'))"


# Read once per session: a consumer's batch is one transaction holding the calendar lock shared from its first
# read, so the closed periods cannot change under it; the mapping is read at READ COMMITTED either way.
_CLOSED, _CHART = "accounting_svc.closed_periods", "accounting_svc.chart"


def _period_of(row: Any) -> PeriodRecord:
    return PeriodRecord(**{f.name: getattr(row, f.name) for f in dataclasses.fields(PeriodRecord)})


class PeriodRepository:
    """app.ports.Periods over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def closed(self) -> set[str]:
        cached: set[str] | None = self._s.info.get(_CLOSED)
        if cached is not None:
            return set(cached)
        await self._s.execute(text(_CALENDAR_LOCK.format(mode="_shared")))
        rows = await self._s.execute(select(periods.c.period).where(periods.c.status == "closed"))
        self._s.info[_CLOSED] = {r.period for r in rows}
        return set(self._s.info[_CLOSED])

    async def lock_calendar(self) -> None:
        await self._s.execute(text(_CALENDAR_LOCK.format(mode="")))

    async def get(self, period: str, *, for_update: bool = False) -> PeriodRecord | None:
        query = select(periods).where(periods.c.period == period)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return None if row is None else _period_of(row)

    async def latest_closed(self) -> str | None:
        return (await self._s.execute(select(func.max(periods.c.period)).where(periods.c.status == "closed"))) \
            .scalar_one_or_none()

    async def save(self, record: PeriodRecord) -> None:
        self._s.info.pop(_CLOSED, None)
        values = dataclasses.asdict(record)
        row = insert(periods).values(**values)
        await self._s.execute(row.on_conflict_do_update(index_elements=[periods.c.period],
                                                        set_={k: row.excluded[k] for k in values if k != "period"}))

    async def all(self) -> list[PeriodRecord]:
        return [_period_of(r) for r in await self._s.execute(select(periods).order_by(periods.c.period))]


def _chart_json(chart: ChartOfAccounts) -> dict[str, Any]:
    return dataclasses.asdict(chart)


class ChartRepository:
    """app.ports.Chart over one session: one row holding the mapping and its version."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def current(self, *, for_update: bool = False) -> tuple[ChartOfAccounts, int]:
        cached: tuple[ChartOfAccounts, int] | None = self._s.info.get(_CHART)
        if cached is not None and not for_update:
            return cached
        query = select(chart_of_accounts.c.mapping, chart_of_accounts.c.version).where(chart_of_accounts.c.id == 1)
        if for_update:
            query = query.with_for_update()
        row = (await self._s.execute(query)).one()
        self._s.info[_CHART] = (ChartOfAccounts(**row.mapping), row.version)
        return self._s.info[_CHART]

    async def replace(self, chart: ChartOfAccounts, *, by: str) -> int:
        self._s.info.pop(_CHART, None)
        result = await self._s.execute(update(chart_of_accounts).where(chart_of_accounts.c.id == 1).values(
            mapping=_chart_json(chart), version=chart_of_accounts.c.version + 1, updated_by=by,
            updated_at=func.now()).returning(chart_of_accounts.c.version))
        return int(result.scalar_one())
