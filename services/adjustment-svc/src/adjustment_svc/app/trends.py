"""`GET /v1/trends` (oversight.md O4): adjustment requests per group and month raised, Pareto-ordered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from adjustment_svc.app.ports import TrendFigures
from mediabill_common.money import round_money
from mediabill_common.trends import pareto_series


async def adjustment_trends(figures: TrendFigures, date_from: date, date_to: date, by: str,
                            bill_to_account_id: str | None = None) -> dict[str, Any]:
    """Requests raised from date_from to date_to (inclusive, UTC), rejected ones left out, by `by` and calendar
    month; the rate is their value / the value billed (invoices issued) that month in the same currency."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    # Stored at the memo columns' scale; reported in the currency's minor units.
    cells = [replace(c, value=round_money(c.value, c.currency))
             for c in await figures.trend_cells(start, end, by, bill_to_account_id)]
    billed = {k: round_money(v, k[1]) for k, v in
              (await figures.billed_by_month(date_from, date_to, bill_to_account_id)).items()}
    return {"from": date_from, "to": date_to, "by": by,
            "counted": "adjustment requests not rejected, by the month they were raised",
            "value": "requested memo total, per currency", "rate": "value / value billed in the month",
            "denominator": "billed_value",
            "series": pareto_series(cells, lambda c: billed.get((c.month, c.currency), Decimal(0)), rate_of="value")}
