"""Assurance runs (the queue: requested, claimed FOR UPDATE SKIP LOCKED, progress, outcome) and what a run reads:
the issued invoices of its periods in id order, what was billed for them, and the ledger revisions each consumed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.bill_run_snapshot_repository import aggregated_row_delivery
from invoice_svc.adapters.run_queue import RunQueue
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.assurance_stored import AssuranceRun, CheckedInvoice
from invoice_svc.domain.pricing import Delivery, DraftLine, draft_line_from_wire

_QUEUE = RunQueue("assurance_runs", tuple(AssuranceRun.__dataclass_fields__), progress=(
    "invoices_total = COALESCE(:total, invoices_total), after_invoice_id = :after, counts = CAST(:counts AS jsonb), "
    "totals = CAST(:totals AS jsonb), exception_ids = CAST(:exceptions AS jsonb)"))
_ADD = text(f"""
    INSERT INTO {SCHEMA}.assurance_runs (run_id, periods, status, requested_by)
    VALUES (:id, :periods, 'queued', :by) RETURNING {_QUEUE.columns}""")

_CHECKED_COLUMNS = ", ".join(f"i.{c}" for c in CheckedInvoice.__dataclass_fields__)
_COUNT_ISSUED = text(f"""
    SELECT count(*) FROM {SCHEMA}.invoices i WHERE i.status = 'issued' AND i.period = ANY(CAST(:periods AS text[]))""")
_ISSUED_AFTER = text(f"""
    SELECT {_CHECKED_COLUMNS} FROM {SCHEMA}.invoices i
     WHERE i.status = 'issued' AND i.period = ANY(CAST(:periods AS text[])) AND i.invoice_id > :after
     ORDER BY i.invoice_id LIMIT :lim""")
# Each invoice's own lines (those it carries for other periods included), then the adjustment lines issued
# invoices later billed against it (rule 13), by the invoice they name.
_LINES_OF = text(f"""
    SELECT i.invoice_id AS owner_id, l.* FROM {SCHEMA}.invoices i
      JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.invoice_id = ANY(CAST(:ids AS text[]))
     ORDER BY i.invoice_id, l.line_no""")
_ADJUSTMENTS_OF = text(f"""
    SELECT i.invoice_id AS owner_id, l.* FROM {SCHEMA}.invoice_lines l
      JOIN {SCHEMA}.invoices i ON i.invoice_id = l.invoice_id
     WHERE l.original_invoice_number = ANY(CAST(:numbers AS text[])) AND l.kind = 'prior_period_adjustment'
       AND i.status = 'issued'
     ORDER BY i.invoice_id, l.line_no""")
# What issued invoices of other periods had billed per contract line before this invoice was created (rule 8's
# budget), for invoices issued before their pricing inputs were recorded.
_BILLED_BEFORE_CREATED = text(f"""
    SELECT l.line_item_id, sum(l.amount) AS billed
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.period <> :period AND i.contract_key = :contract_key AND i.bill_to_account_id = :bill_to
       AND i.created_at < :created AND (i.status = 'issued' OR (i.status = 'void' AND i.voided_at > :created))
       AND l.component = 'usage' AND l.line_item_id IS NOT NULL AND l.kind <> 'over_delivery'
     GROUP BY 1""")

# The ledger revisions an invoice consumed, summed as a bill run sums them (bill_run_snapshot_repository's
# _AGGREGATE), as of the instant it was reconciled through: a record unchanged since then is what the run read
# (billable or not); a record changed since was read at its latest revision received by then -- unless that
# revision is still its current one, in which case only its billability changed since, from parked: it was not
# billed. Shadow records (another source bills their day) are never billed. The figures come from the revision
# history (immutable), never from the current row.
_AS_OF = f"""
    WITH scope AS (
        SELECT * FROM unnest(CAST(:keys AS text[]), CAST(:snaps AS timestamptz[])) AS s(key, snap)),
    consumed AS (
        SELECT d.source_system, d.delivery_id, s.key,
               CASE WHEN d.updated_at <= s.snap THEN CASE WHEN d.billable THEN d.revision END
                    ELSE (SELECT NULLIF(max(r.revision), d.revision) FROM {SCHEMA}.delivery_revisions r
                           WHERE r.source_system = d.source_system AND r.delivery_id = d.delivery_id
                             AND r.received_at <= s.snap) END AS revision
          FROM scope s JOIN {SCHEMA}.deliveries d ON {{join}}
         WHERE d.delivery_date BETWEEN :start AND :end AND NOT d.shadow)
    SELECT c.key, r.account_id, r.line_item_id, r.product_code, r.campaign_id, max(r.campaign_name),
           CASE WHEN r.product_code = ANY(CAST(:split AS text[])) THEN r.delivery_date ELSE CAST(:start AS date) END,
           min(r.delivery_id), count(*), sum(r.impressions), sum(r.viewable_impressions), sum(r.clicks),
           sum(r.conversions), sum(r.third_party_impressions), sum(r.media_cost), r.currency
      FROM consumed c JOIN {SCHEMA}.delivery_revisions r
        ON r.source_system = c.source_system AND r.delivery_id = c.delivery_id AND r.revision = c.revision
     GROUP BY 1, 2, 3, 4, 5, 7, r.currency, (r.third_party_impressions IS NULL), (r.media_cost IS NULL)
"""
# Which of the invoices' scopes have a record changed since they were reconciled (only those have something pending).
_CHANGED_SINCE = """
    SELECT s.key FROM unnest(CAST(:keys AS text[]), CAST(:snaps AS timestamptz[])) AS s(key, snap)
     WHERE EXISTS (SELECT 1 FROM {schema}.deliveries d
                    WHERE {join} AND d.delivery_date BETWEEN :start AND :end AND d.updated_at > s.snap
                      AND NOT d.shadow)"""
_CHANGED_CONTRACTS = text(_CHANGED_SINCE.format(schema=SCHEMA, join="d.contract_id = s.key"))
_CHANGED_SELF_SERVE = text(_CHANGED_SINCE.format(schema=SCHEMA,
                                                 join="d.contract_id IS NULL AND d.account_id = s.key"))
_AS_OF_CONTRACTS = text(_AS_OF.format(join="d.contract_id = s.key"))
_AS_OF_SELF_SERVE = text(_AS_OF.format(join="d.contract_id IS NULL AND d.account_id = s.key"))


def _run(row: Mapping[Any, Any]) -> AssuranceRun:
    return AssuranceRun(**row)


class AssuranceRepository:
    """Assurance runs and their reads over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, run_id: str, periods: Sequence[str], requested_by: str) -> AssuranceRun:
        result = await self._session.execute(_ADD, {"id": run_id, "periods": list(periods), "by": requested_by})
        return _run(result.mappings().one())

    async def claim_next(self, executor_id: str, stale_after_s: float) -> AssuranceRun | None:
        """Claim the oldest queued run, or a running one whose executor stopped beating; None when there is none."""
        row = await _QUEUE.claim_next(self._session, executor_id, stale_after_s)
        return None if row is None else _run(row)

    async def record_progress(self, run: AssuranceRun, *, invoices_total: int | None, after_invoice_id: str | None,
                              counts: Mapping[str, int], totals: Mapping[str, Mapping[str, str]],
                              exception_ids: Sequence[str]) -> None:
        """Write progress (and beat the heart) only while this executor still holds the claim (else LostClaim)."""
        await _QUEUE.record_progress(self._session, run, {
            "total": invoices_total, "after": after_invoice_id, "counts": json.dumps(counts),
            "totals": json.dumps(totals), "exceptions": json.dumps(list(exception_ids))})

    async def finish(self, run: AssuranceRun, status: str, error: str | None = None) -> bool:
        return await _QUEUE.finish(self._session, run, status, error)

    async def get(self, run_id: str) -> AssuranceRun | None:
        row = await _QUEUE.get(self._session, run_id)
        return None if row is None else _run(row)

    async def page(self, *, status: str | None, limit: int, before: tuple[datetime, str] | None) \
            -> list[AssuranceRun]:
        """Newest first, `limit + 1` runs before the cursor position."""
        return [_run(row) for row in await _QUEUE.page(self._session, {"status": status}, limit=limit, before=before)]

    async def count_issued(self, periods: Sequence[str]) -> int:
        return int((await self._session.execute(_COUNT_ISSUED, {"periods": list(periods)})).scalar_one())

    async def issued_after(self, periods: Sequence[str], after_invoice_id: str, limit: int) -> list[CheckedInvoice]:
        """The next `limit` issued invoices of these periods after `after_invoice_id`, in id order."""
        rows = await self._session.execute(_ISSUED_AFTER, {"periods": list(periods), "after": after_invoice_id,
                                                           "lim": limit})
        return [CheckedInvoice(**row) for row in rows.mappings()]

    async def lines_of(self, invoices: Sequence[CheckedInvoice]) \
            -> tuple[dict[str, list[DraftLine]], dict[str, list[DraftLine]]]:
        """Per invoice id: its own lines, and the adjustment lines later issued invoices billed against it."""
        own: dict[str, list[DraftLine]] = {i.invoice_id: [] for i in invoices}
        later: dict[str, list[DraftLine]] = {i.invoice_id: [] for i in invoices}
        by_number = {i.invoice_number: i.invoice_id for i in invoices}
        for r in (await self._session.execute(_LINES_OF, {"ids": list(own)})).mappings():
            own[r["owner_id"]].append(draft_line_from_wire(dict(r)))
        for r in (await self._session.execute(_ADJUSTMENTS_OF, {"numbers": list(by_number)})).mappings():
            target = by_number[r["original_invoice_number"]]
            if target != r["owner_id"]:
                later[target].append(draft_line_from_wire(dict(r)))
        return own, later

    async def billed_before_created(self, invoice: CheckedInvoice) -> dict[str, Decimal]:
        rows = await self._session.execute(_BILLED_BEFORE_CREATED, {
            "period": invoice.period, "contract_key": invoice.contract_key,
            "bill_to": invoice.bill_to_account_id, "created": invoice.created_at})
        return {r.line_item_id: r.billed for r in rows}

    async def changed_since_reconciled(self, invoices: Sequence[CheckedInvoice], *, start: date,
                                       end: date) -> set[str]:
        """The ids of those invoices (of one period) whose ledger scope changed since their `reconciled_through`."""
        out: set[str] = set()
        for statement, chosen in ((_CHANGED_CONTRACTS, [i for i in invoices if i.contract_key]),
                                  (_CHANGED_SELF_SERVE, [i for i in invoices if not i.contract_key])):
            if not chosen:
                continue
            by_key = {i.contract_key or i.bill_to_account_id: i for i in chosen}
            rows = await self._session.execute(statement, {
                "keys": list(by_key), "snaps": [i.reconciled_through for i in by_key.values()], "start": start,
                "end": end})
            out.update(by_key[key].invoice_id for key in rows.scalars())
        return out

    async def consumed_deliveries(self, invoices: Sequence[CheckedInvoice], *, start: date, end: date,
                                  split_products: Sequence[str], at: datetime | None = None) \
            -> dict[str, list[Delivery]]:
        """Per invoice id: the ledger revisions it consumed (as of its `reconciled_through`; or those a bill run
        would read `at` that instant), summed per contract line as a bill run sums them. The invoices are of one
        period (`start`..`end`)."""
        out: dict[str, list[Delivery]] = {i.invoice_id: [] for i in invoices}
        base = {"start": start, "end": end, "split": list(split_products)}
        for statement, chosen in ((_AS_OF_CONTRACTS, [i for i in invoices if i.contract_key]),
                                  (_AS_OF_SELF_SERVE, [i for i in invoices if not i.contract_key])):
            if not chosen:
                continue
            # a contract's deliveries, or (self-serve) the advertiser's without a contract
            by_key = {i.contract_key or i.bill_to_account_id: i for i in chosen}
            rows = await self._session.execute(statement, base | {
                "keys": list(by_key), "snaps": [at or i.reconciled_through for i in by_key.values()]})
            for key, *rest in rows.all():
                invoice = by_key[key]
                out[invoice.invoice_id].append(aggregated_row_delivery(invoice.contract_key, *rest))
        return out
