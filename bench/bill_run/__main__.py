"""`uv run python -m bench.bill_run --contracts 100000`: invoice-svc bill runs, preview then issue.

Creates a fresh database, migrates it, seeds N contracts (1-9 lines, 5 on average; one line in 20 capped by
a budget; half billed to agencies with commission and tax) and a month of daily deliveries per line, then times a
`preview` run and an `issue` run executed by the service's real bill-run executor (the same code invoice-svc's
worker runs), printing progress, invoices/s, lines/s and a breakdown of where the time goes; then the raw baseline
(bench/bill_run/raw.py: the same aggregation in one SQL statement and a COPY of as many invoice and line rows, no
pricing), the service's ratio to it, and the peak RSS. The database is dropped afterwards unless `--keep`.
`--profile FILE` writes a cProfile of both runs. `--assurance` then times an assurance run over the issued period
beside its raw baseline (bench/bill_run/assurance.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import resource
import sys
import time
import uuid
from datetime import date

import asyncpg
from sqlalchemy.engine import make_url

from bench.bill_run import breakdown
from bench.bill_run.raw import raw_baseline
from bench.bill_run.seed import seed


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.bill_run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30, help="days of delivery per contract line (default 30)")
    parser.add_argument("--period", default="2025-03")
    parser.add_argument("--chunk-size", type=int, default=1000, help="groups per transaction (default 1000)")
    parser.add_argument("--pricing-processes", type=int, default=None,
                        help="the worker's pricing processes (default: invoice-svc's BILL_RUN_PRICING_PROCESSES)")
    parser.add_argument("--profile", default=None, help="write a cProfile of the two runs to this file")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--assurance", action="store_true",
                        help="then time an assurance run over the issued period, beside its raw baseline")
    parser.add_argument("--gc-default", action="store_true",
                        help="leave Python's garbage collector as it is (default: tuned as the worker tunes it)")
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://mediabill@127.0.0.1:56432/mediabill"))
    return parser.parse_args(argv)


def _cpu() -> float:
    """CPU seconds of this process and of its live child processes (the executor's pricing processes)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + _children_cpu()


def _children_cpu() -> float:
    return sum(_process_cpu(pid) for pid in _children())


def _children() -> list[int]:
    pids: list[int] = []
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as f:
                pids += [int(pid) for pid in f.read().split()]
    except OSError:
        pass
    return pids


async def _postgres_cpu(admin: asyncpg.Connection, database: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the benchmark database (from /proc: the server
    runs on this machine)."""
    rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    return sum(_process_cpu(row["pid"]) for row in rows)


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process; 0 when it has gone (/proc reads do not block on a disk)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def lines_of(raw) -> int:
    return max(raw.lines, 1)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dsn(url: str, database: str | None = None) -> tuple[str, str]:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False), \
        parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _progress(ctx, run_id: str, stop: asyncio.Event, started: float) -> None:
    from invoice_svc.adapters.bill_run_repository import BillRunRepository

    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=5)
        except TimeoutError:
            async with ctx.sessions() as s:
                run = await BillRunRepository(s).get(run_id)
            print(f"    {time.perf_counter() - started:6.1f}s  {run.status}: groups "
                  f"{run.groups_done:,}/{run.groups_total or 0:,}, invoices "
                  f"{run.counts.get('invoices', 0):,}, lines {run.counts.get('lines', 0):,}", flush=True)


async def _timed_run(ctx, executor, period: str, mode: str, profiler, admin, database: str) -> dict:
    from dataclasses import asdict

    from invoice_svc.adapters.bill_run_repository import BillRunRepository
    from invoice_svc.app.bill_runs import request_bill_run

    async with ctx.sessions() as s, s.begin():
        run_id = (await request_bill_run(ctx.deps.units.over(s), period=period, mode=mode, bill_to_account_ids=None,
                                         actor="bench", today=date.today())).run_id
    breakdown.reset()
    print(f"\n{mode} run {run_id}:", flush=True)
    stop = asyncio.Event()
    started = time.perf_counter()
    reporter = asyncio.create_task(_progress(ctx, run_id, stop, started))
    # Open the pool's connections first, so their backends' CPU is counted from here.
    await asyncio.gather(*[_touch(ctx) for _ in range(3)])
    cpu_before, pg_before, children_before = _cpu(), await _postgres_cpu(admin, database), _children_cpu()
    if profiler:
        profiler.enable()
    assert await executor.run_once()
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    children = _children_cpu() - children_before
    pg_cpu = await _postgres_cpu(admin, database) - pg_before
    stop.set()
    await reporter
    async with ctx.sessions() as s:
        run = asdict(await BillRunRepository(s).get(run_id))
    invoices, lines = run["counts"].get("invoices", 0), run["counts"].get("lines", 0)
    print(f"  {mode}: {run['status']} in {wall:.1f}s -- {invoices:,} invoices ({invoices / wall:,.0f}/s), "
          f"{lines:,} lines ({lines / wall:,.0f}/s); totals {run['totals']}; counts {run['counts']}")
    print(f"  CPU used: this Python process and its pricing processes {cpu:.1f}s (of which the pricing processes "
          f"{children:.1f}s), PostgreSQL backends {pg_cpu:.1f}s (machine load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work competes for the same CPUs)")
    print(f"  where the time goes (wall {wall:.1f}s; nested items overlap their totals):\n{breakdown.report(wall)}")
    return run | {"wall": wall, "cpu": cpu, "pg_cpu": pg_cpu}


async def _assurance(ctx, period: str, dsn: str, pg_cpu) -> None:
    from bench.bill_run import assurance
    from invoice_svc.domain.pricing import period_bounds

    print("\nassurance run over the issued period:", flush=True)
    run = await assurance.timed_assurance(ctx, period, pg_cpu)
    raw = await assurance.raw_assurance(dsn, period, *period_bounds(period), pg_cpu)
    print(assurance.report("assurance run", run))
    print(assurance.report("raw baseline (the same reads in plain SQL, nothing priced)", raw))
    print(f"assurance run / raw: {raw.wall / run.wall:.2f} by wall, "
          f"{(raw.cpu + raw.pg_cpu) / (run.cpu + run.pg_cpu):.2f} by CPU")


async def _touch(ctx) -> None:
    from sqlalchemy import text

    async with ctx.sessions() as s:
        await s.execute(text("SELECT 1"))


async def _main(args: argparse.Namespace) -> int:
    from invoice_svc.app.pricing_pool import PricingPool
    from invoice_svc.bootstrap import build
    from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor
    from invoice_svc.settings import Settings
    from mediabill_common.process import tune_gc_for_throughput
    from mediabill_common.testing.plugin import run_migrations

    database = f"mediabill_bench_{uuid.uuid4().hex[:8]}"
    _, admin_dsn = _dsn(args.database_url)
    bench_url, bench_dsn = _dsn(args.database_url, database)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f"CREATE DATABASE {database}")
    print(f"database {database}: migrating and seeding {args.contracts:,} contracts, {args.days} days", flush=True)
    ctx = pricing = None
    try:
        await asyncio.to_thread(run_migrations, "invoice-svc", bench_url)
        started = time.perf_counter()
        counts = await seed(bench_dsn, contracts=args.contracts, period=args.period, days=args.days)
        print(f"seeded {counts} in {time.perf_counter() - started:.0f}s", flush=True)
        settings = Settings(database_url=bench_url, bill_run_chunk_size=args.chunk_size)
        if args.pricing_processes is not None:
            settings = settings.model_copy(update={"bill_run_pricing_processes": args.pricing_processes})
        ctx = build(settings)
        pricing = PricingPool(settings.bill_run_pricing_processes)
        executor = BillRunExecutor(ctx, executor_id="bench", pricing=pricing)
        print(f"pricing in {settings.bill_run_pricing_processes or 'a thread, no'} pricing processes", flush=True)
        breakdown.install()
        if not args.gc_default:
            tune_gc_for_throughput()
        profiler = cProfile.Profile() if args.profile else None
        preview = await _timed_run(ctx, executor, args.period, "preview", profiler, admin, database)
        issue = await _timed_run(ctx, executor, args.period, "issue", profiler, admin, database)
        if profiler:
            profiler.dump_stats(args.profile)
            pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
        print("\nraw baseline (one aggregation statement + COPY of as many invoice and line rows, no pricing):",
              flush=True)
        raw = await raw_baseline(bench_dsn, args.period, issue["counts"].get("invoices", 0),
                                 issue["counts"].get("lines", 0), lambda: _postgres_cpu(admin, database))
        print("\n=== results ===")
        print(f"raw: {raw.invoices:,} invoices, {raw.lines:,} lines in {raw.wall:.1f}s = "
              f"{raw.lines / raw.wall:,.0f} lines/s (aggregate {raw.aggregated_rows:,} rows {raw.aggregate_s:.1f}s, "
              f"build + COPY {raw.copy_s:.1f}s); CPU per line: Python {raw.cpu / lines_of(raw) * 1e6:.0f} us + "
              f"PostgreSQL {raw.pg_cpu / lines_of(raw) * 1e6:.0f} us ({raw.cpu:.1f}s + {raw.pg_cpu:.1f}s)")
        for run, target in ((preview, 15_000), (issue, 1e6 / 90)):
            lines = max(run["counts"].get("lines", 0), 1)
            verdict = "meets" if lines / run["wall"] >= target else "misses"
            print(f"{run['mode']}: {run['counts'].get('invoices', 0):,} invoices, {lines:,} lines in "
                  f"{run['wall']:.1f}s = {lines / run['wall']:,.0f} lines/s, {raw.wall / run['wall']:.2f} of raw "
                  f"(by CPU: {(raw.cpu + raw.pg_cpu) / (run['cpu'] + run['pg_cpu']):.2f}) "
                  f"(target {target:,.0f} lines/s: {verdict}); CPU per line: Python "
                  f"{run['cpu'] / lines * 1e6:.0f} us + PostgreSQL {run['pg_cpu'] / lines * 1e6:.0f} us "
                  f"({run['cpu']:.1f}s + {run['pg_cpu']:.1f}s)")
        print(f"targets: issue >= 0.4 of raw and 1,000,000 lines in < 90 s; preview >= 15,000 lines/s. "
              f"Load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        if args.assurance:
            await _assurance(ctx, args.period, bench_dsn, lambda: _postgres_cpu(admin, database))
        print(f"peak RSS: {peak_rss_mib():.0f} MiB")
        return 0
    finally:
        if pricing is not None:
            pricing.close()
        if ctx is not None:
            await ctx.close()
        if not args.keep:
            await admin.execute(f"DROP DATABASE {database} WITH (FORCE)")
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(_main(_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
