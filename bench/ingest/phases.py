"""The benchmark's phases: seed configuration, publish, the service consumer, the raw baseline, cleanup."""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import time
from datetime import date
from decimal import Decimal

import asyncpg
from aiokafka import AIOKafkaConsumer
from sqlalchemy import event

from bench.ingest import breakdown
from bench.ingest.steady import SteadyRate
from bench.ingest.workload import EVENT_SOURCE, SOURCE_SYSTEM, Workload
from invoice_svc.adapters.config_repository import ConfigRepository, ParsedStates
from invoice_svc.bootstrap import build
from invoice_svc.entrypoints.consumer import make_runner
from invoice_svc.settings import Settings
from mediabill_common.consumer.runner import CONSUMED
from mediabill_common.events.config_state import DeliverySourceState
from mediabill_common.kafka import make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.process import runners_with_consumers
from mediabill_common.service import ServiceContext
from mediabill_common.testing.plugin import run_migrations

RAW_COLUMNS = ["delivery_id", "revision", "source_system", "account_id", "contract_id", "campaign_id",
               "line_item_id", "campaign_name", "product_code", "delivery_date", "impressions",
               "viewable_impressions", "clicks", "conversions", "third_party_impressions", "media_cost", "currency",
               "event_source", "event_id", "billable"]


def backend_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend on this machine has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Python (this process) and PostgreSQL (the phase's backends) CPU seconds over a phase: a cost measure that
    other load on the machine disturbs far less than wall time."""

    def __init__(self) -> None:
        self.backends: dict[int, float] = {}
        self.python_s = self.postgres_s = 0.0

    def start(self) -> None:
        self._py = time.process_time()

    def track(self, pid: int) -> None:
        self.backends.setdefault(pid, backend_cpu_s(pid))

    def stop(self) -> None:
        self.python_s = time.process_time() - self._py
        self.postgres_s = sum(backend_cpu_s(pid) - start for pid, start in self.backends.items())


async def seed_config(args, work: Workload) -> tuple[ServiceContext, int]:
    """Migrate, then load the run's products, accounts and contracts into the read model."""
    await asyncio.to_thread(run_migrations, "invoice-svc", args.database_url)
    settings = Settings(database_url=args.database_url, kafka_bootstrap_servers=args.bootstrap)
    ctx = build(settings)
    async with ctx.sessions.begin() as session:
        config = ConfigRepository(session, ParsedStates())
        for product in work.products():
            await config.save_product(product, 1)
        for account in work.account_states():
            await config.save_account(account, 1)
        for contract in work.contract_states():
            await config.save_contract(contract, 1)
        await config.save_delivery_source(DeliverySourceState(
            source_system=SOURCE_SYSTEM, name="Ingestion benchmark", event_sources=[EVENT_SOURCE]), 1)
    return ctx, args.batch_size or settings.consumer_batch_size


async def publish_all(bootstrap: str, topic: str, partitions: int, work: Workload) -> None:
    await ensure_topics(bootstrap, {topic: partitions})
    producer = make_producer(bootstrap, client_id=f"bench-publisher-{work.runid}")
    await producer.start()
    try:
        for sent, (key, value) in enumerate(work.messages(), start=1):
            await producer.send(topic, value=value, key=key,
                                headers=[("content-type", b"application/cloudevents+json")])
            if sent % 100_000 == 0:
                print(f"  published {sent:,}", flush=True)
        await producer.flush()
    finally:
        await producer.stop()


async def run_service(ctx: ServiceContext, args, topic: str, work: Workload, batch_size: int, runid: str) \
        -> tuple[float, CpuMeter, SteadyRate]:
    """invoice-svc's real consumer loop in this process; seconds until the ledger holds every message."""
    name = f"bench-{runid}"
    producer = make_producer(args.bootstrap, client_id=f"{name}-dlq")
    await producer.start()
    runners = runners_with_consumers(ctx, lambda: make_runner(ctx, producer, name=name), name, [topic],
                                     runners=args.runners or ctx.settings.consumer_runners, batch_size=batch_size)
    breakdown.install([runner for runner, _ in runners])
    applied = CONSUMED.labels(name, "CampaignDelivered")
    profiler = cProfile.Profile() if args.profile else None
    print(f"service consumer: group {name}, batch size {batch_size}, {len(runners)} runner(s)", flush=True)
    cpu = CpuMeter()
    event.listen(ctx.engine.sync_engine, "checkout",
                 lambda dbapi_conn, *_: cpu.track(dbapi_conn.driver_connection.get_server_pid()))
    cpu.start()
    started = time.perf_counter()
    for _, consumer in runners:
        await consumer.start()
    stop = asyncio.Event()
    if profiler:
        profiler.enable()
    task = asyncio.gather(*(runner.run(consumer, stop, batch_size=batch_size) for runner, consumer in runners))
    steady = SteadyRate(work.distinct_events)
    try:
        await _wait(lambda: applied._value.get(), steady, started, task, "service")
    finally:
        elapsed = time.perf_counter() - started
        cpu.stop()
        if profiler:
            profiler.disable()
        stop.set()
        await task
        for _, consumer in runners:
            await consumer.stop()
        await producer.stop()
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    breakdown.report(elapsed)
    await verify_ledger(ctx, work, runid)
    return elapsed, cpu, steady


async def _wait(progress, steady: SteadyRate, started: float, task: asyncio.Task | None, label: str) -> None:
    last_print = time.perf_counter()
    target = steady.total
    while (done := progress()) < target:
        if task is not None and task.done():
            task.result()
            raise RuntimeError(f"{label} consumer stopped early")
        await asyncio.sleep(0.05)
        now = time.perf_counter()
        steady.observe(now, int(progress()))
        if now - last_print >= 2:
            last_print = now
            print(f"  {label}: {int(done):,}/{target:,} applied, {done / (now - started):,.0f} events/s", flush=True)


async def verify_ledger(ctx: ServiceContext, work: Workload, runid: str) -> None:
    from sqlalchemy import text

    async with ctx.sessions() as s:
        deliveries = (await s.execute(text(
            "SELECT count(*) FROM invoice_svc.deliveries WHERE delivery_id LIKE :p"), {"p": f"B{runid}-%"})).scalar()
        revisions = (await s.execute(text(
            "SELECT count(*) FROM invoice_svc.delivery_revisions WHERE delivery_id LIKE :p"),
            {"p": f"B{runid}-%"})).scalar()
        parked = (await s.execute(text(
            "SELECT count(*) FROM invoice_svc.deliveries WHERE delivery_id LIKE :p AND NOT billable"),
            {"p": f"B{runid}-%"})).scalar()
    status = "ok" if (deliveries, revisions) == (work.deliveries, work.revisions) else "MISMATCH"
    print(f"ledger check {status}: {deliveries:,} deliveries (expected {work.deliveries:,}), {revisions:,} "
          f"revisions (expected {work.revisions:,}), {parked:,} parked as not billable", flush=True)


def _raw_row(value: bytes) -> tuple:
    event = json.loads(value)
    d = event["data"]
    cost = d.get("media_cost")
    return (d["delivery_id"], d["revision"], d["source_system"], d["account_id"], d.get("contract_id"),
            d["campaign_id"], d["line_item_id"], d.get("campaign_name"), d["product_code"],
            date.fromisoformat(d["delivery_date"]), d["impressions"], d["viewable_impressions"], d["clicks"],
            d["conversions"], d.get("third_party_impressions"), Decimal(cost) if cost is not None else None,
            d.get("currency"), event["source"], event["id"], True)


async def run_raw_baseline(args, topic: str, work: Workload, batch_size: int, runid: str) \
        -> tuple[float, CpuMeter, SteadyRate]:
    """A bare aiokafka consumer COPYing the same messages into an equivalent table: no validation, no dedupe."""
    conn = await asyncpg.connect(args.database_url.replace("+asyncpg", ""))
    table = f"bench_raw_{runid}"
    await conn.execute(f"CREATE TABLE invoice_svc.{table} (LIKE invoice_svc.deliveries INCLUDING DEFAULTS)")
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=args.bootstrap, group_id=f"bench-raw-{runid}",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_poll_records=batch_size)
    count = 0
    steady = SteadyRate(args.n)
    print(f"raw baseline: group bench-raw-{runid}, table invoice_svc.{table}", flush=True)
    cpu = CpuMeter()
    cpu.track(conn.get_server_pid())
    cpu.start()
    started = time.perf_counter()
    await consumer.start()
    try:
        last_print = started
        while count < args.n:
            batches = await consumer.getmany(timeout_ms=500, max_records=batch_size)
            rows = [_raw_row(r.value) for part in batches.values() for r in part]
            if not rows:
                continue
            await conn.copy_records_to_table(table, records=rows, columns=RAW_COLUMNS, schema_name="invoice_svc")
            await consumer.commit()
            count += len(rows)
            now = time.perf_counter()
            steady.observe(now, count)
            if now - last_print >= 2:
                last_print = now
                print(f"  raw: {count:,}/{args.n:,} copied, {count / (now - started):,.0f} events/s", flush=True)
        elapsed = time.perf_counter() - started
        cpu.stop()
        return elapsed, cpu, steady
    finally:
        await consumer.stop()
        await conn.execute(f"DROP TABLE IF EXISTS invoice_svc.{table}")
        await conn.close()


async def cleanup(ctx: ServiceContext, runid: str) -> None:
    """Delete what the run wrote to invoice-svc's schema (the topic stays: topics are never deleted here)."""
    from sqlalchemy import text

    prefix = f"B{runid}-%"
    async with ctx.sessions.begin() as s:
        for sql in [
            "DELETE FROM invoice_svc.deliveries WHERE delivery_id LIKE :p",
            "DELETE FROM invoice_svc.delivery_revisions WHERE delivery_id LIKE :p",
            "DELETE FROM invoice_svc.billing_exceptions WHERE account_id LIKE :p",
            "DELETE FROM invoice_svc.outbox WHERE sent_at IS NULL AND envelope->'data'->>'account_id' LIKE :p",
            "DELETE FROM invoice_svc.audit_log WHERE entity_type = 'billing_exception' AND entity_id IN "
            "(SELECT exception_id FROM invoice_svc.billing_exceptions WHERE account_id LIKE :p)",
            "DELETE FROM invoice_svc.contract_versions WHERE contract_id LIKE :p",
            "DELETE FROM invoice_svc.contracts WHERE contract_id LIKE :p",
            "DELETE FROM invoice_svc.accounts WHERE account_id LIKE :p",
            "DELETE FROM invoice_svc.products WHERE code LIKE :p",
        ]:
            await s.execute(text(sql), {"p": prefix})
        await s.execute(text("DELETE FROM invoice_svc.inbox WHERE consumer = :c"), {"c": f"bench-{runid}"})
    # Statistics of the deleted rows must not outlive them. Left to autovacuum, they were taken while the next run's
    # rows came in, from pages of dead rows with a few live ones: the ledger then looked all but empty, and the
    # billing-source look-up's generic plan walked the whole ledger once per batch (a run fell to 3,118 events/s).
    async with ctx.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("deliveries", "delivery_revisions", "inbox"):
            await conn.execute(text(f"VACUUM (ANALYZE) invoice_svc.{table}"))
    print(f"cleaned up run {runid}", flush=True)
