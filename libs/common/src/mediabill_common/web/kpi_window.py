"""The one window every service's `GET /v1/kpis` reads: `from` and `to` are dates, both days included.

Each service counted its window its own way (billing periods in invoice-svc, required dates in dispute-svc,
optional dates defaulting to 31 days in adjustment-svc), so the same `?from=&to=` meant different things.
Now: `from` and `to` are dates `YYYY-MM-DD`, both included, days in UTC; a month `YYYY-MM` stands for its first day
as `from` and its last day as `to`; without them the window is the 30 days ending today. A figure counted by time
counts what happened from `from` 00:00 UTC up to, not including, the day after `to` (`start`, `end`); a figure
counted by billing period counts every period the window touches (`first_period`..`last_period`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query

from mediabill_common.web.problems import Unprocessable

DEFAULT_DAYS = 30
CONVENTION = ("`from` and `to` are dates YYYY-MM-DD, both days included (UTC); a month YYYY-MM stands for its first "
              f"day (`from`) or its last day (`to`); without them, the {DEFAULT_DAYS} days ending today")
_DAY_OR_MONTH = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"


@dataclass(frozen=True)
class KpiWindow:
    """The days `first`..`last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant of the window (00:00 UTC of `first`)."""
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the window (00:00 UTC of the day after `last`)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def first_period(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def last_period(self) -> str:
        return f"{self.last:%Y-%m}"

    @classmethod
    def of(cls, first: str | None, last: str | None, today: date) -> KpiWindow:
        """The window asked for (each end a day or a month, see CONVENTION); 422 when it is not one."""
        end = _day(last, "to", today, month_end=True) if last else today
        start = _day(first, "from", today, month_end=False) if first else end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise Unprocessable(f"`from` ({start}) is after `to` ({end})",
                                errors=[{"field": "from", "in": "query", "message": "must not be after `to`"}])
        return cls(start, end)


def _day(value: str, field: str, today: date, *, month_end: bool) -> date:
    try:
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:])
            return date(year, month, calendar.monthrange(year, month)[1] if month_end else 1)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Unprocessable(f"`{field}` ({value}) is not a date YYYY-MM-DD",
                            errors=[{"field": field, "in": "query", "message": "not a date"}]) from exc


async def kpi_window(
    first: Annotated[str | None, Query(alias="from", pattern=_DAY_OR_MONTH, description=(
        f"first day of the window, included. {CONVENTION}"))] = None,
    last: Annotated[str | None, Query(alias="to", pattern=_DAY_OR_MONTH, description=(
        f"last day of the window, included. {CONVENTION}"))] = None,
) -> KpiWindow:
    """The `from`/`to` window of a KPI request."""
    return KpiWindow.of(first, last, datetime.now(UTC).date())


Window = Annotated[KpiWindow, Depends(kpi_window)]
