"""Sums behind GET /v1/kpis."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA


async def billed_by_period(session: AsyncSession, period_from: str, period_to: str) -> list[Any]:
    """Per period and currency: non-void issued invoices, their billed value and what was credited on them."""
    result = await session.execute(text(f"""
        SELECT period, currency, count(*) AS invoices, sum(total) AS billed, sum(credited) AS credited
          FROM {SCHEMA}.invoices
         WHERE status = 'issued' AND period BETWEEN :f AND :t
         GROUP BY period, currency ORDER BY period, currency"""), {"f": period_from, "t": period_to})
    return list(result.mappings())


async def open_exceptions(session: AsyncSession) -> list[Any]:
    """Unresolved billing exceptions per kind and currency, with the value at risk."""
    result = await session.execute(text(f"""
        SELECT kind, currency, count(*) AS open, COALESCE(sum(amount_at_risk), 0) AS at_risk
          FROM {SCHEMA}.billing_exceptions WHERE status <> 'resolved'
         GROUP BY kind, currency ORDER BY kind, currency"""))
    return list(result.mappings())
