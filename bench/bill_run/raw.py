"""The raw baseline of a bill run: what the database alone needs for the same work, with no pricing.

One SQL statement aggregates the period's billable ledger the way the service's chunks do (the same GROUP BY, over
every group at once, every row fetched into Python), then COPY writes as many invoice rows and line rows as the
issue run wrote into tables shaped like the service's (same columns, defaults and indexes). Invoice and line values
come straight from the aggregated rows: no engine, no rounding, no events. The service's run also reads accounts,
contracts and what was billed before, numbers invoices, writes outbox rows and records progress; the baseline does
none of that, so the ratio says how much of the hardware the service's own logic leaves on the table.
"""

from __future__ import annotations

import calendar
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


SCHEMA = "invoice_svc"
RAW = "bench_raw"
_AGGREGATE = f"""
    SELECT COALESCE(d.contract_id, '') AS contract_key, d.account_id, d.line_item_id, d.product_code,
           d.campaign_id, max(d.campaign_name) AS campaign_name, $1::date AS bucket,
           min(d.delivery_id) AS first_delivery_id, count(*) AS n,
           sum(d.impressions) AS impressions, sum(d.viewable_impressions) AS viewable_impressions,
           sum(d.clicks) AS clicks, sum(d.conversions) AS conversions,
           sum(d.third_party_impressions) AS third_party_impressions, sum(d.media_cost) AS media_cost, d.currency
      FROM {SCHEMA}.deliveries d
     WHERE d.billable AND d.delivery_date BETWEEN $1 AND $2
     GROUP BY 1, 2, 3, 4, 5, 7, d.currency, (d.third_party_impressions IS NULL), (d.media_cost IS NULL)
"""
_INVOICE_COLUMNS = ("invoice_id", "invoice_number", "status", "bill_to_account_id", "account_id", "contract_key",
                    "contract_id", "period", "period_start", "period_end", "currency", "issue_date", "due_date",
                    "payment_terms_days", "subtotal", "discount_total", "commission_total", "tax_total", "total",
                    "bill_run_id", "snapshot_at", "reconciled_through", "document", "balance_due",
                    "balance_status")
_LINE_COLUMNS = ("invoice_id", "line_no", "invoice_line_id", "kind", "component", "description", "product_code",
                 "gl_revenue_account", "campaign_id", "campaign_name", "line_item_id", "quantity", "unit",
                 "unit_price", "price_base_quantity", "amount")


@dataclass
class RawResult:
    wall: float
    aggregate_s: float
    copy_s: float
    aggregated_rows: int
    invoices: int
    lines: int
    pg_cpu: float
    cpu: float  # this Python process's


async def raw_baseline(dsn: str, period: str, invoices: int, lines: int, pg_cpu) -> RawResult:
    """Aggregate the period in one statement, then COPY `invoices` invoice rows and `lines` line rows (the issue
    run's counts) into copies of the service's tables; `pg_cpu()` reads the server's CPU for this database."""
    year, month = map(int, period.split("-"))
    start, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {RAW} CASCADE; CREATE SCHEMA {RAW}; "
                           f"CREATE TABLE {RAW}.invoices (LIKE {SCHEMA}.invoices INCLUDING ALL); "
                           f"CREATE TABLE {RAW}.invoice_lines (LIKE {SCHEMA}.invoice_lines INCLUDING ALL)")
        # The service's chunk reads run with these settings (SnapshotRepository.tune_for_aggregation).
        await conn.execute("SET max_parallel_workers_per_gather = 0; SET work_mem = '64MB'; SET jit = off")
        cpu_before, own_before = await pg_cpu(), _cpu()
        started = time.perf_counter()
        rows = await conn.fetch(_AGGREGATE, start, end)
        aggregated = time.perf_counter()
        invoice_rows, line_rows = _rows(rows, period, start, end, invoices, lines)
        async with conn.transaction():
            await conn.copy_records_to_table("invoices", schema_name=RAW, columns=_INVOICE_COLUMNS,
                                             records=invoice_rows)
            await conn.copy_records_to_table("invoice_lines", schema_name=RAW, columns=_LINE_COLUMNS,
                                             records=line_rows)
        finished = time.perf_counter()
        used, own = await pg_cpu() - cpu_before, _cpu() - own_before
        await conn.execute(f"DROP SCHEMA {RAW} CASCADE")
    finally:
        await conn.close()
    return RawResult(finished - started, aggregated - started, finished - aggregated, len(rows), len(invoice_rows),
                     len(line_rows), used, own)


def _rows(rows: list[asyncpg.Record], period: str, start: date, end: date, invoices: int, lines: int) \
        -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """`invoices` invoice rows with `lines` lines spread over them, values taken from the aggregated rows as they
    are (every aggregated row used once while they last, then again)."""
    run_id, snap, zero = str(uuid.uuid4()), datetime.now(UTC), Decimal(0)
    invoice_rows, line_rows = [], []
    per_invoice, extra = divmod(lines, max(invoices, 1))
    at = 0
    for i in range(invoices):
        invoice_id = str(uuid.uuid4())
        first = rows[at % len(rows)] if rows else None
        key = first["contract_key"] if first else ""
        bill_to = first["account_id"] if first else "nobody"
        subtotal = zero
        for line_no in range(1, per_invoice + (1 if i < extra else 0) + 1):
            r = rows[at % len(rows)] if rows else None
            at += 1
            quantity = int(r["impressions"]) if r else 0
            amount = Decimal(quantity) / 1000
            subtotal += amount
            line_rows.append((invoice_id, line_no, str(uuid.uuid4()), "usage", "usage", "raw", r and r["product_code"],
                              "4000", r and r["campaign_id"], r and r["campaign_name"], r and r["line_item_id"],
                              quantity, "impressions", Decimal("1.000000"), 1000, amount))
        invoice_rows.append((invoice_id, f"RAW-{i}", "issued", bill_to, bill_to, f"{key}#{i}", key or None, period,
                             start, end, "USD", end, end, 30, subtotal, zero, zero, zero, subtotal, run_id, snap,
                             snap, '{"bill_to_name": "raw"}', subtotal, "open"))
    return invoice_rows, line_rows

