"""`uv run python -m bench.journal --invoices 100000`: accounting-svc posting the journal of a bill run's issued
invoices, against bench.ingest's raw consumer baseline in the same run.

Publishes N InvoiceIssued shaped as the bill-run benchmark issues them (a usage line per line item, discount,
agency commission and tax; bench.bill_run's 100,000 contracts give 100,000 invoices) to a fresh topic, runs
accounting-svc's real consumer (ConsumerRunner + its handler table, in this process) with a fresh group until every
invoice is posted, then publishes N CampaignDelivered and runs bench.ingest's raw baseline over them (a bare
aiokafka consumer COPYing into a table: no validation, no inbox, no dedupe). Prints events/s for both and the CPU
per event. The run's journal rows are deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from decimal import Decimal

from sqlalchemy import event, text

from accounting_svc.bootstrap import build
from accounting_svc.entrypoints.consumer import make_runner
from accounting_svc.settings import Settings
from bench.ingest.phases import CpuMeter, _wait, publish_all, run_raw_baseline
from bench.ingest.workload import Workload
from mediabill_common.consumer.runner import CONSUMED
from mediabill_common.events.envelope import new_envelope
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.plugin import run_migrations


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.journal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql+asyncpg://mediabill@127.0.0.1:56432/mediabill"))
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:49092"))
    return parser.parse_args(argv)


def invoice(runid: str, n: int) -> dict:
    """An invoice as a 100,000-contract bill run issues them: two line items, 5% discount, 15% commission, tax."""
    usage = [Decimal(1000 + n % 997) + Decimal("0.25"), Decimal(400 + n % 389)]
    discount = -(sum(usage) * Decimal("0.05")).quantize(Decimal("0.01"))
    commission = -((sum(usage) + discount) * Decimal("0.15")).quantize(Decimal("0.01"))
    tax = ((sum(usage) + discount + commission) * Decimal("0.08")).quantize(Decimal("0.01"))
    lines = [("U1", "usage", usage[0]), ("U2", "usage", usage[1]), ("D", "discount", discount),
             ("C", "agency_commission", commission), ("T", "tax", tax)]
    total = sum(a for _, _, a in lines)
    return {"invoice_id": f"J{runid}-{n}", "invoice_number": f"INV-J{runid}-{n:08d}", "account_id": f"ADV-{n % 5000}",
            "bill_to_account_id": f"AG-{n % 2000}", "contract_id": f"IO-{runid}-{n}", "po_number": None,
            "period": "2026-11", "period_start": "2026-11-01", "period_end": "2026-11-30", "issue_date": "2026-12-01",
            "due_date": "2026-12-31", "currency": "USD", "subtotal": str(sum(usage)), "discount_total": str(discount),
            "commission_total": str(commission), "tax_total": str(tax), "total": str(total),
            "lines": [{"invoice_line_id": lid, "kind": kind, "product_code": f"P{n % 20}",
                       "gl_revenue_account": "401000" if kind == "usage" else None, "description": kind,
                       "quantity": 1, "unit_price": str(amount), "amount": str(amount),
                       "tax_code": "VAT" if kind == "tax" else None} for lid, kind, amount in lines]}


async def publish_invoices(bootstrap: str, topic: str, partitions: int, runid: str, n: int) -> None:
    await ensure_topics(bootstrap, {topic: partitions})
    producer = make_producer(bootstrap, client_id=f"bench-journal-{runid}")
    await producer.start()
    try:
        for i in range(n):
            data = invoice(runid, i)
            envelope = new_envelope(type="InvoiceIssued", source="/mediabill/invoice-svc", subject=data["invoice_id"],
                                    data=data)
            await producer.send(topic, value=envelope.to_json_bytes(), key=data["bill_to_account_id"].encode(),
                                headers=[("content-type", b"application/cloudevents+json")])
        await producer.flush()
    finally:
        await producer.stop()


async def run_accounting(args: argparse.Namespace, topic: str, runid: str) -> tuple[float, CpuMeter]:
    settings = Settings(database_url=args.database_url, kafka_bootstrap_servers=args.bootstrap)
    ctx = build(settings)
    name = f"bench-journal-{runid}"
    producer = make_producer(args.bootstrap, client_id=f"{name}-dlq")
    await producer.start()
    runner = make_runner(ctx, producer, name=name)
    consumer = make_consumer(args.bootstrap, group_id=name, client_id=name, topics=[topic],
                             max_poll_records=settings.consumer_batch_size, listener=runner.rebalance_listener,
                             fetch_min_bytes=settings.consumer_fetch_min_bytes,
                             fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms)
    applied = CONSUMED.labels(name, "InvoiceIssued")
    cpu = CpuMeter()
    event.listen(ctx.engine.sync_engine, "checkout",
                 lambda dbapi_conn, *_: cpu.track(dbapi_conn.driver_connection.get_server_pid()))
    cpu.start()
    started = time.perf_counter()
    await consumer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(consumer, stop, batch_size=settings.consumer_batch_size))
    try:
        await _wait(lambda: applied._value.get(), args.invoices, started, task, "accounting-svc")
    finally:
        elapsed = time.perf_counter() - started
        cpu.stop()
        stop.set()
        await task
        await consumer.stop()
        await producer.stop()
    async with ctx.sessions.begin() as s:
        posted = (await s.execute(text("SELECT count(*) FROM accounting_svc.journal_entries WHERE source_id LIKE :p"),
                                  {"p": f"J{runid}-%"})).scalar()
        unbalanced = (await s.execute(text(
            "SELECT count(*) FROM (SELECT l.entry_id FROM accounting_svc.journal_lines l JOIN "
            "accounting_svc.journal_entries e USING (entry_id) WHERE e.source_id LIKE :p GROUP BY l.entry_id "
            "HAVING sum(l.debit) <> sum(l.credit)) u"), {"p": f"J{runid}-%"})).scalar()
        print(f"journal check: {posted:,} entries posted (expected {args.invoices:,}), {unbalanced} unbalanced",
              flush=True)
        if not args.keep:
            for sql in ("DELETE FROM accounting_svc.outbox WHERE envelope->>'subject' IN (SELECT entry_id FROM "
                        "accounting_svc.journal_entries WHERE source_id LIKE :p)",
                        "DELETE FROM accounting_svc.journal_lines WHERE entry_id IN (SELECT entry_id FROM "
                        "accounting_svc.journal_entries WHERE source_id LIKE :p)",
                        "DELETE FROM accounting_svc.journal_entries WHERE source_id LIKE :p",
                        "DELETE FROM accounting_svc.invoices WHERE invoice_id LIKE :p"):
                await s.execute(text(sql), {"p": f"J{runid}-%"})
            await s.execute(text("DELETE FROM accounting_svc.inbox WHERE consumer = :c"), {"c": name})
    await ctx.close()
    return elapsed, cpu


async def _main(args: argparse.Namespace) -> int:
    runid = uuid.uuid4().hex[:8]
    for service in ("invoice-svc", "accounting-svc"):
        await asyncio.to_thread(run_migrations, service, args.database_url)
    topic = f"bench.invoices.{runid}"
    print(f"run {runid}: {args.invoices:,} InvoiceIssued on {topic}", flush=True)
    await publish_invoices(args.bootstrap, topic, args.partitions, runid, args.invoices)
    service_s, service_cpu = await run_accounting(args, topic, runid)
    work = Workload(runid=runid, n=args.invoices)
    raw_topic = f"bench.delivery.{runid}"
    await publish_all(args.bootstrap, raw_topic, args.partitions, work)
    raw_args = argparse.Namespace(**vars(args), n=args.invoices)
    raw_s, raw_cpu = await run_raw_baseline(raw_args, raw_topic, work, 500, runid)
    n = args.invoices
    print("\n=== results ===")
    print(f"accounting-svc posting InvoiceIssued: {n:,} events in {service_s:.1f}s = {n / service_s:,.0f} events/s")
    print(f"raw baseline (bench.ingest: aiokafka + COPY): {n:,} events in {raw_s:.1f}s = {n / raw_s:,.0f} events/s")
    print(f"ratio accounting/raw: {raw_s / service_s:.2f}")
    for label, cpu in (("accounting-svc", service_cpu), ("raw baseline", raw_cpu)):
        per_event = 1e6 * (cpu.python_s + cpu.postgres_s) / n
        print(f"CPU {label}: python {cpu.python_s:.1f}s + postgres {cpu.postgres_s:.1f}s = {per_event:.0f} us/event")
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(_main(_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
