"""`GET /v1/trends` (oversight.md O4): disputes per group and month opened, Pareto-ordered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dispute_svc.app.ports import DisputeStore
from mediabill_common.trends import pareto_series


async def dispute_trends(repo: DisputeStore, date_from: date, date_to: date, by: str,
                         bill_to_account_id: str | None = None) -> dict[str, Any]:
    """Disputes opened from date_from to date_to (inclusive, UTC) by `by` and calendar month; the rate is disputes
    per invoice issued that month."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    cells = await repo.trend_cells(start, end, by, bill_to_account_id)
    issued = await repo.invoices_issued_by_month(date_from, date_to, bill_to_account_id)
    return {"from": date_from, "to": date_to, "by": by, "counted": "disputes, by the month they were opened",
            "value": "disputed amount, per currency", "rate": "disputes per invoice issued in the month",
            "denominator": "invoices_issued", "series": pareto_series(cells, lambda c: issued.get(c.month, 0))}
