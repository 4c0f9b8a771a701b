"""`uv run python -m bench.ingest --n 1000000`: invoice-svc's delivery ingestion against a raw COPY baseline.

Publishes N CampaignDelivered to a fresh topic (6 partitions), then
1. runs invoice-svc's real consumer (ConsumerRunner + the CampaignDelivered batch handler, in this process) with a
   fresh group until the ledger holds every message, and
2. runs a bare aiokafka consumer with another fresh group that COPYs the same messages into an equivalent table
   with no validation, no inbox and no dedupe (the raw baseline),
and prints events/s for both, the ratio and peak RSS. `--profile` writes a cProfile of the service phase.

`--consumers 1,2` runs the service phase as that many consumer processes in one group instead (bench/ingest/
processes.py), once per count in one invocation, each with its own topic, messages and raw baseline, and ends with
the counts side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

import uvloop

from bench.ingest.phases import cleanup, publish_all, run_raw_baseline, run_service, seed_config
from bench.ingest.processes import run_service_processes
from bench.ingest.workload import Workload
from mediabill_common.process import tune_gc_for_throughput


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="messages to publish (default 1,000,000)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="records per consumer batch (default: the service's CONSUMER_BATCH_SIZE)")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--consumers", default=None,
                        help="comma-separated process counts, e.g. 1,2: the service as N consumer processes")
    parser.add_argument("--runners", type=int, default=None,
                        help="runners in the service's consumer (default: the service's CONSUMER_RUNNERS)")
    parser.add_argument("--profile", default=None, help="write a cProfile of the service phase to this file")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's rows (default: delete them)")
    parser.add_argument("--gc-default", action="store_true",
                        help="leave Python's garbage collector as it is (default: tuned as the consumer tunes it)")
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://mediabill@127.0.0.1:56432/mediabill"))
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:49092"))
    return parser.parse_args(argv)


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _main(args: argparse.Namespace) -> int:
    if args.consumers is None:
        await _run(args, None)
        return 0
    rows = [await _run(args, int(n)) for n in args.consumers.split(",")]
    print("\n=== consumer processes side by side ===")
    print("processes | events/s | raw events/s | ratio | steady events/s | steady ratio | CPU us/event service | "
          "CPU us/event raw")
    for n, rate, raw_rate, steady, steady_ratio, cpu_us, raw_us in rows:
        print(f"{n} | {rate:,.0f} | {raw_rate:,.0f} | {rate / raw_rate:.2f} | {steady:,.0f} | {steady_ratio:.2f} | "
              f"{cpu_us:.0f} | {raw_us:.0f}")
    return 0


async def _run(args: argparse.Namespace, consumers: int | None) \
        -> tuple[int, float, float, float, float, float, float]:
    runid = uuid.uuid4().hex[:8]
    topic = f"bench.delivery.{runid}"
    work = Workload(runid=runid, n=args.n)
    print(f"run {runid}: topic {topic}, {args.n:,} messages, {args.partitions} partitions", flush=True)
    ctx, batch_size = await seed_config(args, work)
    try:
        started = time.perf_counter()
        await publish_all(args.bootstrap, topic, args.partitions, work)
        print(f"published {args.n:,} in {time.perf_counter() - started:.1f}s: {work.distinct_events:,} distinct "
              f"events, {work.deliveries:,} deliveries, {work.revisions:,} revisions; "
              f"RSS peak so far {peak_rss_mib():.0f} MiB", flush=True)
        if not args.gc_default:
            tune_gc_for_throughput()
        if consumers is None:
            service_s, service_cpu, service_steady = await run_service(ctx, args, topic, work, batch_size, runid)
        else:
            service_s, service_cpu, service_steady = await run_service_processes(ctx, args, topic, work, batch_size,
                                                                                 runid, consumers)
        service_rss = peak_rss_mib()
        raw_s, raw_cpu, raw_steady = await run_raw_baseline(args, topic, work, batch_size, runid)
        service_rate, raw_rate = args.n / service_s, args.n / raw_s
        print("\n=== results ===")
        label = "in this process" if consumers is None else f"x{consumers} processes"
        print(f"invoice-svc batch handler ({label}): {args.n:,} events in {service_s:.1f}s = "
              f"{service_rate:,.0f} events/s")
        print(f"raw baseline (aiokafka + COPY): {args.n:,} events in {raw_s:.1f}s = {raw_rate:,.0f} events/s")
        print(f"ratio service/raw: {service_rate / raw_rate:.2f}")
        # the service's progress counts distinct events applied; as messages/s, like the rates above and the raw's
        steady_service, steady_raw = service_steady.per_s, raw_steady.per_s
        if steady_service is None or steady_raw is None:
            print("steady rates: not seen (a run too short to pass a tenth and nine tenths of its events)")
            steady_service = steady_ratio = float("nan")
        else:
            steady_service *= args.n / work.distinct_events
            steady_ratio = steady_service / steady_raw
            print(f"steady (from a tenth to nine tenths of the events applied, start-up and group join left out): "
                  f"invoice-svc {steady_service:,.0f} events/s, raw {steady_raw:,.0f} events/s, ratio "
                  f"{steady_ratio:.2f}")
        per_event = {}
        for label, cpu in (("invoice-svc", service_cpu), ("raw baseline", raw_cpu)):
            per_event[label] = 1e6 * (cpu.python_s + cpu.postgres_s) / args.n
            print(f"CPU {label}: python {cpu.python_s:.1f}s + postgres {cpu.postgres_s:.1f}s "
                  f"({len(cpu.backends)} backend(s)) = {per_event[label]:.0f} us/event")
        cost_ratio = (raw_cpu.python_s + raw_cpu.postgres_s) / (service_cpu.python_s + service_cpu.postgres_s)
        print(f"CPU-cost ratio raw/service: {cost_ratio:.2f} (less disturbed by other load than wall time)")
        print(f"peak RSS: {service_rss:.0f} MiB after the service phase, {peak_rss_mib():.0f} MiB overall "
              f"(one process: publisher, service consumer and baseline)")
        ok = service_rate >= 20_000 and service_rate / raw_rate >= 0.5
        steady_ok = steady_service >= 20_000 and steady_ratio >= 0.5  # False while not seen (nan)
        print(f"targets (>= 20,000 events/s and >= 0.5 of raw): whole run {'met' if ok else 'NOT met'}, steady "
              f"{'met' if steady_ok else 'NOT met'}")
        return (consumers or 1, service_rate, raw_rate, steady_service, steady_ratio,
                per_event["invoice-svc"], per_event["raw baseline"])
    finally:
        if not args.keep:
            await cleanup(ctx, runid)
        await ctx.close()


def main(argv: list[str] | None = None) -> int:
    # uvloop, the loop invoice-svc's consumer process runs on (mediabill_common.process); the raw baseline shares it
    return uvloop.run(_main(_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
