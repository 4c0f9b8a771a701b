"""A month-end issue run during the load benchmark (`bench.load --bill-run`), as its own process.

`python -m bench.load.bill_run --contracts 100000`: creates a database of its own on the stack's PostgreSQL server
(`DATABASE_URL`), migrates and seeds it as `bench.bill_run` does (N contracts and a month of daily deliveries),
starts `python -m invoice_svc worker` on it at the background nice the stack gives workers
(`MEDIABILL_BACKGROUND_NICE`, default 19), prints `READY`, waits for a line on stdin, then queues an issue run and
lets the worker execute it until a second line (or the run's end), and prints one JSON line: invoices and lines
issued, how long, whether it finished. The worker and the database go afterwards.

The run's data live beside the stack's, not in it, so the benchmark leaves the stack's invoices alone; the run still
competes with the APIs for the same cores and the same PostgreSQL server, which is what a month-end run does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import date

import asyncpg

from bench.bill_run.__main__ import _dsn
from bench.bill_run.seed import seed


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.load.bill_run")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--period", default="2025-03")
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://mediabill@127.0.0.1:55432/mediabill"))
    return parser.parse_args(argv)


def _nice() -> None:
    os.nice(int(os.environ.get("MEDIABILL_BACKGROUND_NICE", "19")))


async def _line() -> str:
    return await asyncio.to_thread(sys.stdin.readline)


async def _status(conn: asyncpg.Connection, run_id: str) -> dict:
    row = await conn.fetchrow("SELECT status, counts, groups_done, groups_total FROM invoice_svc.bill_runs "
                              "WHERE run_id = $1", run_id)
    counts = json.loads(row["counts"]) if isinstance(row["counts"], str) else dict(row["counts"] or {})
    return {"status": row["status"], "groups_done": row["groups_done"], "groups_total": row["groups_total"],
            "invoices": counts.get("invoices", 0), "lines": counts.get("lines", 0)}


async def _request_issue_run(url: str, period: str) -> str:
    """Queued as the API queues it (the service's use case, in one transaction)."""
    from invoice_svc.app.bill_runs import request_bill_run
    from invoice_svc.bootstrap import build
    from invoice_svc.settings import Settings

    ctx = build(Settings(database_url=url))
    try:
        async with ctx.sessions() as session, session.begin():
            run = await request_bill_run(ctx.deps.units.over(session), period=period, mode="issue",
                                         bill_to_account_ids=None, actor="bench.load", today=date.today())
        return run.run_id
    finally:
        await ctx.close()


async def _main(args: argparse.Namespace) -> int:
    from mediabill_common.testing.plugin import run_migrations

    database = f"mediabill_loadrun_{uuid.uuid4().hex[:8]}"
    _, admin_dsn = _dsn(args.database_url)
    url, dsn = _dsn(args.database_url, database)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f"CREATE DATABASE {database}")
    worker = None
    try:
        await asyncio.to_thread(run_migrations, "invoice-svc", url)
        await seed(dsn, contracts=args.contracts, period=args.period, days=30)
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "invoice_svc", "worker", preexec_fn=_nice,
            env={**os.environ, "DATABASE_URL": url, "BILL_RUN_POLL_S": "0.2"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"READY {args.contracts:,} contracts in {database}", flush=True)
        await _line()
        run_id = await _request_issue_run(url, args.period)
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            stop = asyncio.ensure_future(_line())
            while not stop.done():
                status = await _status(conn, run_id)
                if status["status"] in ("completed", "failed"):
                    break
                await asyncio.wait([stop], timeout=0.5)
            status = await _status(conn, run_id)
            print("RESULT " + json.dumps(status | {"seconds": round(time.perf_counter() - started, 1)}), flush=True)
            if not stop.done():
                await stop
        finally:
            await conn.close()
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), timeout=60)
        await admin.execute(f"DROP DATABASE {database} WITH (FORCE)")
        await admin.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(_args(None))))
