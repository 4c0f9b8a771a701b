"""The raw figures behind GET /v1/trends (oversight.md O4): billing exceptions per group and month raised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.billing.exposure import HELD_BACK_KINDS
from mediabill_common.trends import NOT_RECORDED, TrendCell

# What each `by` groups on; product_code comes from the exception's delivery, or its refs when it has none.
_GROUP = {"root_cause": f"COALESCE(x.root_cause, '{NOT_RECORDED}')", "kind": "x.kind",
          "product_code": "COALESCE(d.product_code, x.refs->>'product_code', 'unknown')",
          "bill_to_account_id": "COALESCE(x.account_id, 'unknown')"}
# Value = revenue held back (value_at_risk); the exceptions that hold none count at 0 in the `XXX` (no currency)
# series unless they name a currency.
_CELLS = """
    SELECT {group} AS grp, to_char(x.raised_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
           COALESCE(x.currency, 'XXX') AS currency, count(*) AS n,
           COALESCE(sum(CASE WHEN x.kind = ANY(CAST(:held AS text[])) THEN x.amount_at_risk END), 0) AS value
      FROM {schema}.billing_exceptions x
      LEFT JOIN {schema}.deliveries d ON d.source_system = x.source_system AND d.delivery_id = x.delivery_id
     WHERE x.raised_at >= :start AND x.raised_at < :end {account}
     GROUP BY 1, 2, 3"""
_INGESTED = f"""
    SELECT to_char(first_received_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*) AS n
      FROM {SCHEMA}.deliveries
     WHERE first_received_at >= :start AND first_received_at < :end {{account}}
     GROUP BY 1"""


class TrendQueries:
    """app.ports.ExceptionTrendFigures over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def trend_cells(self, start: datetime, end: datetime, by: str,
                          account_id: str | None) -> list[TrendCell]:
        account = "AND x.account_id = :account" if account_id else ""
        sql = _CELLS.format(group=_GROUP[by], schema=SCHEMA, account=account)
        rows = await self._s.execute(text(sql), {"start": start, "end": end, "account": account_id,
                                                 "held": sorted(HELD_BACK_KINDS)})
        return [TrendCell(r.grp, r.month, r.currency, r.n, r.value) for r in rows]

    async def deliveries_ingested_by_month(self, start: datetime, end: datetime,
                                           account_id: str | None) -> dict[str, int]:
        account = "AND account_id = :account" if account_id else ""
        rows = await self._s.execute(text(_INGESTED.format(account=account)),
                                     {"start": start, "end": end, "account": account_id})
        return {r.month: r.n for r in rows}
