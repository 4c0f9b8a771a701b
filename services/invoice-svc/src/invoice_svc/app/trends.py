"""`GET /v1/trends` (oversight.md O4): billing exceptions per group and month raised, Pareto-ordered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from invoice_svc.app.ports import ExceptionTrendFigures
from mediabill_common.trends import pareto_series


async def exception_trends(figures: ExceptionTrendFigures, date_from: date, date_to: date, by: str,
                           account_id: str | None = None) -> dict[str, Any]:
    """Exceptions raised from date_from to date_to (inclusive, UTC) by `by` and calendar month; the rate is
    exceptions per 1,000 deliveries ingested that month."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    cells = await figures.trend_cells(start, end, by, account_id)
    ingested = await figures.deliveries_ingested_by_month(start, end, account_id)
    return {"from": date_from, "to": date_to, "by": by, "counted": "billing exceptions, by the month they were raised",
            "value": "revenue held back (value_at_risk), per currency; XXX: none named",
            "rate": "exceptions per 1,000 deliveries ingested in the month", "denominator": "deliveries_ingested",
            "series": pareto_series(cells, lambda c: ingested.get(c.month, 0), per=1000)}
