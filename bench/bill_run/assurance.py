"""`--assurance`: after the issue run, an assurance run (oversight.md O3) over the period it issued, executed by the
service's real executor (the code invoice-svc's worker runs), beside a raw baseline of the same reads.

The raw baseline reads, in plain SQL and with nothing priced or compared, what the run reads: every issued invoice
of the period with its lines, and the ledger revisions the invoices consumed (each current record's revision from
the revision history), aggregated per contract line as the run aggregates them. The run also re-prices every
invoice twice over (as issued, and with today's revisions when they differ), compares and records its findings.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from bench.bill_run.raw import _cpu

SCHEMA = "invoice_svc"
_INVOICES = f"""
    SELECT i.invoice_id, i.invoice_number, i.contract_key, i.bill_to_account_id, i.reconciled_through,
           i.pricing_inputs, l.*
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND i.period = $1"""
_CONSUMED = f"""
    SELECT d.contract_id, r.account_id, r.line_item_id, r.product_code, r.campaign_id, max(r.campaign_name),
           min(r.delivery_id), count(*), sum(r.impressions), sum(r.viewable_impressions), sum(r.clicks),
           sum(r.conversions), sum(r.third_party_impressions), sum(r.media_cost), r.currency
      FROM {SCHEMA}.deliveries d
      JOIN {SCHEMA}.delivery_revisions r
        ON r.source_system = d.source_system AND r.delivery_id = d.delivery_id AND r.revision = d.revision
     WHERE d.billable AND d.delivery_date BETWEEN $2 AND $3 AND d.contract_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM {SCHEMA}.invoices i WHERE i.status = 'issued' AND i.period = $1
                      AND i.contract_key = d.contract_id)
     GROUP BY 1, 2, 3, 4, 5, r.currency, (r.third_party_impressions IS NULL), (r.media_cost IS NULL)"""


@dataclass
class Timed:
    wall: float
    cpu: float
    pg_cpu: float
    invoices: int
    detail: str


async def raw_assurance(dsn: str, period: str, start, end, pg_cpu: Callable[[], Awaitable[float]]) -> Timed:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET max_parallel_workers_per_gather = 0; SET work_mem = '64MB'; SET jit = off")
        cpu0, pg0, t0 = _cpu(), await pg_cpu(), time.perf_counter()
        lines = await conn.fetch(_INVOICES, period)
        consumed = await conn.fetch(_CONSUMED, period, start, end)
        wall = time.perf_counter() - t0
        cpu, pg = _cpu() - cpu0, await pg_cpu() - pg0
    finally:
        await conn.close()
    invoices = len({r["invoice_id"] for r in lines})
    return Timed(wall, cpu, pg, invoices, f"{len(lines):,} invoice lines, {len(consumed):,} aggregated ledger rows")


async def timed_assurance(ctx, period: str, pg_cpu: Callable[[], Awaitable[float]]) -> Timed:
    from datetime import date

    from invoice_svc.adapters.assurance_repository import AssuranceRepository
    from invoice_svc.app.assurance_runs import request_assurance_run
    from invoice_svc.entrypoints.assurance_executor import AssuranceExecutor

    async with ctx.sessions() as s, s.begin():
        run_id = (await request_assurance_run(ctx.deps.units.over(s), periods=[period], actor="bench",
                                              today=date.today())).run_id
    executor = AssuranceExecutor(ctx, executor_id="bench")
    cpu0, pg0, t0 = _cpu(), await pg_cpu(), time.perf_counter()
    assert await executor.run_once()
    wall = time.perf_counter() - t0
    cpu, pg = _cpu() - cpu0, await pg_cpu() - pg0
    async with ctx.sessions() as s:
        run = await AssuranceRepository(s).get(run_id)
    assert run is not None and run.status == "completed", run
    return Timed(wall, cpu, pg, run.counts.get("checked", 0), f"counts {run.counts}; totals {run.totals}")


def report(name: str, t: Timed) -> str:
    n = max(t.invoices, 1)
    return (f"{name}: {t.invoices:,} invoices in {t.wall:.1f}s = {t.invoices / t.wall:,.0f} invoices/s; CPU per "
            f"invoice: Python {t.cpu / n * 1e3:.2f} ms + PostgreSQL {t.pg_cpu / n * 1e3:.2f} ms ({t.detail})")
