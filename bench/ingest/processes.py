"""`--consumers N`: invoice-svc's real consumer as N processes in one group, as a deployment scales it.

The parent starts `python -m bench.ingest.processes` N times (the same ConsumerRunner and batch handler as the
in-process phase, same group, same inbox name), waits until the inbox holds every distinct event, then stops them
with SIGTERM; each reports the CPU it and its PostgreSQL backends used, so CPU per event sums the N processes."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

import uvloop
from sqlalchemy import event, text

from bench.ingest.phases import CpuMeter, verify_ledger
from bench.ingest.steady import SteadyRate
from bench.ingest.workload import Workload
from invoice_svc.bootstrap import build
from invoice_svc.entrypoints.consumer import make_runner
from invoice_svc.settings import Settings
from mediabill_common.kafka import make_producer
from mediabill_common.process import runners_with_consumers, tune_gc_for_throughput
from mediabill_common.service import ServiceContext


async def run_service_processes(ctx: ServiceContext, args, topic: str, work: Workload, batch_size: int,
                                runid: str, consumers: int) -> tuple[float, CpuMeter, SteadyRate]:
    """Seconds until N consumer processes together applied every distinct event; their summed CPU; the steady
    rate."""
    name = f"bench-{runid}"
    reports = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{runid}-"))
    argv = [sys.executable, "-m", "bench.ingest.processes", "--topic", topic, "--name", name,
            "--batch-size", str(batch_size), "--database-url", args.database_url, "--bootstrap", args.bootstrap]
    print(f"service consumers: {consumers} processes in group {name}, batch size {batch_size}", flush=True)
    started = time.perf_counter()
    workers = [await asyncio.create_subprocess_exec(*argv, "--report", str(reports / f"{i}.json"))
               for i in range(consumers)]
    steady = SteadyRate(work.distinct_events)
    try:
        last_print = started
        while (done := await _applied(ctx, name)) < work.distinct_events:
            steady.observe(time.perf_counter(), done)
            if any(w.returncode is not None for w in workers):
                raise RuntimeError("a consumer process exited early")
            await asyncio.sleep(0.2)
            if time.perf_counter() - last_print >= 2:
                last_print = time.perf_counter()
                print(f"  service x{consumers}: {done:,}/{work.distinct_events:,} applied, "
                      f"{done / (last_print - started):,.0f} events/s", flush=True)
        elapsed = time.perf_counter() - started
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            await asyncio.wait_for(w.wait(), timeout=60)
    await verify_ledger(ctx, work, runid)
    return elapsed, _summed(reports), steady


def _summed(reports: Path) -> CpuMeter:
    total = CpuMeter()
    for report in sorted(reports.glob("*.json")):
        cpu = json.loads(report.read_text())
        total.python_s += cpu["python_s"]
        total.postgres_s += cpu["postgres_s"]
        total.backends.update({int(pid): 0.0 for pid in cpu["backends"]})
    return total


async def _applied(ctx: ServiceContext, name: str) -> int:
    async with ctx.sessions() as s:
        return int((await s.execute(text("SELECT count(*) FROM invoice_svc.inbox WHERE consumer = :c"),
                                    {"c": name})).scalar() or 0)


async def _consume(args: argparse.Namespace) -> None:
    """One consumer process: invoice-svc's runners (CONSUMER_RUNNERS) until SIGTERM, then its CPU to `--report`."""
    tune_gc_for_throughput()
    ctx = build(Settings(database_url=args.database_url, kafka_bootstrap_servers=args.bootstrap))
    producer = make_producer(args.bootstrap, client_id=f"{args.name}-dlq")
    await producer.start()
    runners = runners_with_consumers(ctx, lambda: make_runner(ctx, producer, name=args.name), args.name,
                                     [args.topic], runners=ctx.settings.consumer_runners, batch_size=args.batch_size)
    cpu = CpuMeter()
    event.listen(ctx.engine.sync_engine, "checkout",
                 lambda dbapi_conn, *_: cpu.track(dbapi_conn.driver_connection.get_server_pid()))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    cpu.start()
    for _, consumer in runners:
        await consumer.start()
    try:
        await asyncio.gather(*(runner.run(consumer, stop, batch_size=args.batch_size) for runner, consumer in runners))
    finally:
        cpu.stop()
        for _, consumer in runners:
            await consumer.stop()
        await producer.stop()
        _write_report(Path(args.report), cpu)
        await ctx.close()


def _write_report(path: Path, cpu: CpuMeter) -> None:
    path.write_text(json.dumps({"python_s": cpu.python_s, "postgres_s": cpu.postgres_s,
                                "backends": list(cpu.backends)}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.ingest.processes")
    for option in ("--topic", "--name", "--database-url", "--bootstrap", "--report"):
        parser.add_argument(option, required=True)
    parser.add_argument("--batch-size", type=int, required=True)
    uvloop.run(_consume(parser.parse_args()))  # the loop invoice-svc's consumer process runs on


if __name__ == "__main__":
    main()
