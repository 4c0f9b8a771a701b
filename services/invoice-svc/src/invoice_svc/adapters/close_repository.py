"""Month-end close: the periods accounting-svc closed (the lock), the facts behind a period's billing status,
deliveries that cannot be priced, and stored unbilled snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import HeldDelivery, IssuedInPeriod, OpenExceptions, PeriodLockChange
from invoice_svc.domain.close.billing_status import BillingFacts, IssueRunSeen

# The key bill runs' writes of a period lock on (InvoiceRepository.lock_period): a close waits for an issuing chunk.
_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
_RECORD = text(f"""
    INSERT INTO {SCHEMA}.period_locks (period, status, changed_by, changed_at, reason, event_id)
    VALUES (:period, :status, :changed_by, :changed_at, :reason, :event_id)
    ON CONFLICT (period) DO UPDATE SET status = EXCLUDED.status, changed_by = EXCLUDED.changed_by,
        changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason, event_id = EXCLUDED.event_id, recorded_at = now()
     WHERE {SCHEMA}.period_locks.changed_at <= EXCLUDED.changed_at""")
_CLOSED_AMONG = text(f"""
    SELECT period FROM {SCHEMA}.period_locks WHERE status = 'closed' AND period = ANY(CAST(:periods AS text[]))""")
_LOCKS = text(f"SELECT period, status, changed_by, changed_at, reason, event_id FROM {SCHEMA}.period_locks "
              "WHERE period = :period")

_LAST_DELIVERY = text(f"""
    SELECT max(updated_at) FROM {SCHEMA}.deliveries WHERE delivery_date BETWEEN :start AND :end""")
_LAST_FULL_ISSUE = text(f"""
    SELECT run_id, snapshot_at, finished_at FROM {SCHEMA}.bill_runs
     WHERE period = :period AND mode = 'issue' AND status = 'completed' AND bill_to_account_ids IS NULL
     ORDER BY snapshot_at DESC LIMIT 1""")
_IN_FLIGHT = text(f"""
    SELECT count(*) FROM {SCHEMA}.bill_runs WHERE period = :period AND status IN ('queued', 'running')""")
_DRAFTS = text(f"SELECT count(*) FROM {SCHEMA}.invoices WHERE period = :period AND status = 'draft'")
_ISSUED = text(f"""
    SELECT currency, count(*) FILTER (WHERE status = 'issued') AS invoices,
           COALESCE(sum(subtotal) FILTER (WHERE status = 'issued'), 0),
           COALESCE(sum(discount_total) FILTER (WHERE status = 'issued'), 0),
           COALESCE(sum(commission_total) FILTER (WHERE status = 'issued'), 0),
           COALESCE(sum(tax_total) FILTER (WHERE status = 'issued'), 0),
           COALESCE(sum(total) FILTER (WHERE status = 'issued'), 0),
           count(*) FILTER (WHERE status = 'void') AS voided
      FROM {SCHEMA}.invoices WHERE period = :period AND status IN ('issued', 'void')
     GROUP BY currency ORDER BY currency""")

# Deliveries held back from billing (unknown product, contract or account, product not live, ...) up to a date.
_HELD = text(f"""
    SELECT account_id, contract_id, line_item_id, product_code, to_char(delivery_date, 'YYYY-MM') AS period,
           count(*), sum(impressions), sum(viewable_impressions), sum(clicks), sum(conversions),
           sum(third_party_impressions), sum(media_cost), max(currency),
           array_agg(DISTINCT array_to_string(exception_kinds, ','))
      FROM {SCHEMA}.deliveries
     WHERE NOT billable AND delivery_date <= :end
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 5, 1, 2, 3, 4""")

# Unresolved exceptions of the deliveries of a period (an exception without a delivery belongs to no period).
_OPEN_EXCEPTIONS_OF_DELIVERIES = text(f"""
    SELECT x.kind, x.currency, x.unit, count(*) AS open, COALESCE(sum(x.amount_at_risk), 0) AS amount,
           COALESCE(sum(x.over_delivery_value), 0) AS over_delivery,
           count(*) FILTER (WHERE x.amount_at_risk IS NULL) AS unpriced,
           COALESCE(sum(x.quantity) FILTER (WHERE x.amount_at_risk IS NULL), 0) AS unpriced_quantity
      FROM {SCHEMA}.billing_exceptions x
      JOIN {SCHEMA}.deliveries d ON d.source_system = x.source_system AND d.delivery_id = x.delivery_id
     WHERE x.status <> 'resolved' AND d.delivery_date BETWEEN :start AND :end
     GROUP BY x.kind, x.currency, x.unit ORDER BY x.kind, x.currency, x.unit""")

_SAVE_SNAPSHOT = text(f"""
    INSERT INTO {SCHEMA}.unbilled_snapshots (snapshot_id, period, taken_by, taken_at, body)
    VALUES (:id, :period, :by, :at, CAST(:body AS jsonb))""")
_GET_SNAPSHOT = text(f"SELECT body FROM {SCHEMA}.unbilled_snapshots WHERE snapshot_id = :id")


class PeriodLockRepository:
    """The periods accounting-svc closed (`PeriodLocks`), over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hold(self, period: str) -> None:
        """Wait for any bill run writing the period, and keep them out until the transaction ends."""
        await self._session.execute(_HOLD, {"k": f"{SCHEMA}:billing:{period}"})

    async def record(self, change: PeriodLockChange) -> None:
        """Keep the latest change of the period (a change older than the one kept changes nothing)."""
        await self._session.execute(_RECORD, {
            "period": change.period, "status": change.status, "changed_by": change.changed_by,
            "changed_at": change.changed_at, "reason": change.reason, "event_id": change.event_id})

    async def closed_among(self, periods: Sequence[str]) -> set[str]:
        rows = await self._session.execute(_CLOSED_AMONG, {"periods": list(periods)})
        return set(rows.scalars().all())

    async def get(self, period: str) -> PeriodLockChange | None:
        row = (await self._session.execute(_LOCKS, {"period": period})).first()
        return None if row is None else PeriodLockChange(*row)


class MonthEndQueries:
    """What the month-end reads need (`MonthEndFigures`), over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def billing_facts(self, period: str, start: Any, end: Any) -> BillingFacts:
        last_delivery = (await self._session.execute(_LAST_DELIVERY, {"start": start, "end": end})).scalar()
        run = (await self._session.execute(_LAST_FULL_ISSUE, {"period": period})).first()
        in_flight = (await self._session.execute(_IN_FLIGHT, {"period": period})).scalar_one()
        drafts = (await self._session.execute(_DRAFTS, {"period": period})).scalar_one()
        return BillingFacts(period, last_delivery, IssueRunSeen(*run) if run is not None else None, in_flight,
                            drafts)

    async def issued_in_period(self, period: str) -> list[IssuedInPeriod]:
        return [IssuedInPeriod(*row) for row in await self._session.execute(_ISSUED, {"period": period})]

    async def open_exceptions_of_deliveries(self, start: Any, end: Any) -> list[OpenExceptions]:
        rows = await self._session.execute(_OPEN_EXCEPTIONS_OF_DELIVERIES, {"start": start, "end": end})
        # counts and quantities as integers: the billing status is answered as a plain JSON object
        return [OpenExceptions(r.kind, r.currency, r.unit, int(r.open), r.amount, r.over_delivery, int(r.unpriced),
                               int(r.unpriced_quantity)) for r in rows]

    async def held_deliveries(self, end: Any) -> list[HeldDelivery]:
        out = []
        for r in await self._session.execute(_HELD, {"end": end}):
            kinds = sorted({k for joined in r[13] for k in joined.split(",") if k})
            out.append(HeldDelivery(
                account_id=r[0], contract_id=r[1], line_item_id=r[2], product_code=r[3], period=r[4],
                deliveries=int(r[5]), impressions=int(r[6]), viewable_impressions=int(r[7]), clicks=int(r[8]),
                conversions=int(r[9]), third_party_impressions=None if r[10] is None else int(r[10]),
                media_cost=r[11], currency=r[12], exception_kinds=kinds))
        return out

    async def save_snapshot(self, snapshot_id: str, period: str, by: str, at: datetime, body: str) -> None:
        await self._session.execute(_SAVE_SNAPSHOT, {"id": snapshot_id, "period": period, "by": by, "at": at,
                                                     "body": body})

    async def snapshot(self, snapshot_id: str) -> dict[str, Any] | None:
        return (await self._session.execute(_GET_SNAPSHOT, {"id": snapshot_id})).scalar()


# Contracts whose flight overlaps a period, with their stored state (the variance report's lines).
_CONTRACTS_IN_FLIGHT = text(f"""
    SELECT contract_id, state FROM {SCHEMA}.contracts
     WHERE flight_start <= :end AND flight_end >= :start AND status <> 'draft' ORDER BY contract_id""")
# Per contract line: usage and flat fees billed on issued invoices, for the period and for the others (the budget
# cap counts those).
_BILLED_BY_LINE = text(f"""
    SELECT i.contract_key, l.line_item_id,
           COALESCE(sum(l.amount) FILTER (WHERE COALESCE(l.original_period, i.period) = :period), 0) AS billed,
           COALESCE(sum(l.amount) FILTER (WHERE COALESCE(l.original_period, i.period) <> :period), 0) AS other
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND i.contract_key = ANY(CAST(:contracts AS text[])) AND l.component = 'usage'
       AND l.kind <> 'over_delivery' AND l.line_item_id IS NOT NULL
     GROUP BY 1, 2""")
_COLLECTED = text(f"""
    SELECT invoice_id, invoice_number, contract_id, bill_to_account_id, currency, total, credited, debited, paid,
           balance_due, overpaid
      FROM {SCHEMA}.invoices WHERE status = 'issued' AND period = :period
       AND contract_key = ANY(CAST(:contracts AS text[])) ORDER BY invoice_number""")


class VarianceQueries:
    """What the variance report reads beside the bill run's snapshot reads (`VarianceFigures`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def contracts_in_flight(self, start: Any, end: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(r[0], r[1]) for r in await self._session.execute(_CONTRACTS_IN_FLIGHT, {"start": start, "end": end})]

    async def billed_by_line(self, contract_ids: Sequence[str], period: str) \
            -> dict[tuple[str, str], tuple[Any, Any]]:
        """(contract, line item) -> (billed for the period, billed for other periods)."""
        rows = await self._session.execute(_BILLED_BY_LINE, {"contracts": list(contract_ids), "period": period})
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    async def collected(self, contract_ids: Sequence[str], period: str) -> list[dict[str, Any]]:
        rows = await self._session.execute(_COLLECTED, {"contracts": list(contract_ids), "period": period})
        return [dict(r) for r in rows.mappings()]


# Per contract line: the usage billed on issued invoices for the period (amount and quantity) and for the other
# periods (the budget cap counts those): what the measurement reconciliation sets against first-party counts.
_BILLED_QUANTITY_BY_LINE = text(f"""
    SELECT i.contract_key, l.line_item_id,
           COALESCE(sum(l.amount) FILTER (WHERE COALESCE(l.original_period, i.period) = :period), 0) AS billed,
           COALESCE(sum(l.amount) FILTER (WHERE COALESCE(l.original_period, i.period) <> :period), 0) AS other,
           COALESCE(sum(l.quantity) FILTER (WHERE COALESCE(l.original_period, i.period) = :period), 0) AS quantity
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND i.contract_key = ANY(CAST(:contracts AS text[])) AND l.component = 'usage'
       AND l.kind <> 'over_delivery' AND l.line_item_id IS NOT NULL
     GROUP BY 1, 2""")


class MeasurementQueries(VarianceQueries):
    """What the measurement reconciliation reads beside the bill run's snapshot reads (`MeasurementFigures`)."""

    async def billed_quantity_by_line(self, contract_ids: Sequence[str], period: str) \
            -> dict[tuple[str, str], tuple[Any, Any, int]]:
        """(contract, line item) -> (billed for the period, billed for other periods, quantity billed for it)."""
        rows = await self._session.execute(_BILLED_QUANTITY_BY_LINE,
                                           {"contracts": list(contract_ids), "period": period})
        return {(r[0], r[1]): (r[2], r[3], int(r[4])) for r in rows}
