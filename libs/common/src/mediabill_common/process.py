"""Process entrypoints shared by the services: `python -m <service> api|consumer|relay` (and `worker` for a service
that has background work of its own)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import uvicorn
import uvloop
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from prometheus_client import start_http_server

from mediabill_common.consumer.runner import ConsumerRunner
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.logging import configure_logging
from mediabill_common.outbox.relay import OutboxRelay
from mediabill_common.service import ServiceContext

log = logging.getLogger(__name__)
# The command line of every service runs any service's context.
AnyContext: TypeAlias = ServiceContext[Any, Any]


def tune_gc_for_throughput() -> None:
    """Garbage collection for a process that allocates millions of short-lived objects (decoded events, priced
    invoice lines): what is alive once it has started (modules, models, settings) is frozen out of the collector's
    sight, and the youngest generation is collected every 50,000 net allocations instead of 700. Reference counting
    frees almost all of those objects as they go; the cycles among them are still collected, less often. (The APIs
    keep the default: their requests allocate little.)"""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_relay(ctx: AnyContext) -> None:
    """Publish this service's outbox until SIGTERM."""
    stop = _stop_event()
    producer = make_producer(ctx.settings.kafka_bootstrap_servers, client_id=f"{ctx.settings.service_name}-relay")
    await _start_with_retry(producer.start, stop)
    relay = OutboxRelay(ctx.engine, ctx.tables.outbox, producer, database_url=ctx.settings.database_url,
                        batch_size=ctx.settings.relay_batch_size, poll_interval_s=ctx.settings.relay_poll_interval_s)
    try:
        await relay.run(stop)
    finally:
        await producer.stop()
        await ctx.close()


def runners_with_consumers(ctx: AnyContext, make_runner: Callable[[], ConsumerRunner], group: str,
                           topics: list[str], *, runners: int, batch_size: int) \
        -> list[tuple[ConsumerRunner, AIOKafkaConsumer]]:
    """`runners` runners, each with a Kafka consumer of its own in `group` (not started), as a consumer process
    runs them (bench/ingest builds its consumers here too)."""
    pairs = []
    for i in range(runners):
        runner = make_runner()
        pairs.append((runner, make_consumer(ctx.settings.kafka_bootstrap_servers, group_id=group,
                                            client_id=group if i == 0 else f"{group}-{i}", topics=topics,
                                            max_poll_records=batch_size, listener=runner.rebalance_listener,
                                            fetch_min_bytes=ctx.settings.consumer_fetch_min_bytes,
                                            fetch_max_wait_ms=ctx.settings.consumer_fetch_max_wait_ms)))
    return pairs


async def run_consumer(ctx: AnyContext, make_runner: Callable[[AnyContext, object], ConsumerRunner],
                       topics: list[str], *, group_id: str | None = None) -> None:
    """Consume `topics` with the service's handler table until SIGTERM: `consumer_runners` runners, each with a
    consumer of its own in the group (Kafka assigns each its partitions)."""
    stop = _stop_event()
    name = group_id or ctx.settings.consumer_group or ctx.settings.service_name
    producer = make_producer(ctx.settings.kafka_bootstrap_servers, client_id=f"{name}-dlq")
    await _start_with_retry(producer.start, stop)
    pairs = runners_with_consumers(ctx, lambda: make_runner(ctx, producer), name, topics,
                                   runners=ctx.settings.consumer_runners, batch_size=ctx.settings.consumer_batch_size)
    runners, consumers = [r for r, _ in pairs], [c for _, c in pairs]
    try:
        for consumer in consumers:
            await _start_with_retry(consumer.start, stop)
        log.info("consumer started", extra={"group": name, "topics": topics, "runners": len(runners)})
        # One runner failing stops the others (the process exits and is restarted, as with one runner).
        async with asyncio.TaskGroup() as runs:
            for runner, consumer in zip(runners, consumers, strict=True):
                runs.create_task(runner.run(consumer, stop, batch_size=ctx.settings.consumer_batch_size))
    finally:
        for consumer in consumers:
            await consumer.stop()
        await producer.stop()
        await ctx.close()


async def run_worker(ctx: AnyContext, work: Callable[[AnyContext, asyncio.Event], Awaitable[None]]) -> None:
    """Run the service's own background work (e.g. invoice-svc's bill runs) until SIGTERM."""
    stop = _stop_event()
    try:
        await work(ctx, stop)
    finally:
        await ctx.close()


async def _start_with_retry(start: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    delay = 0.5
    while True:
        try:
            await start()
            return
        except Exception as exc:
            if stop.is_set():
                raise
            log.warning("kafka not reachable yet; retrying", extra={"error": repr(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)


def main(*, build_context: Callable[[], AnyContext], build_app: Callable[[AnyContext], FastAPI],
         make_runner: Callable[[AnyContext, object], ConsumerRunner] | None, topics: list[str],
         work: Callable[[AnyContext, asyncio.Event], Awaitable[None]] | None = None) -> None:
    """The `python -m <service>` command line; `work` is the `worker` role's, for a service that has one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["api", "consumer", "relay", *(["worker"] if work else [])])
    parser.add_argument("--metrics-port", type=int, default=None,
                        help="serve Prometheus metrics of a consumer, relay or worker on this port")
    args = parser.parse_args()
    ctx = build_context()
    configure_logging(f"{ctx.settings.service_name}-{args.role}", ctx.settings.log_level)
    if args.role == "api":
        uvicorn.run(build_app(ctx), host=ctx.settings.host, port=ctx.settings.port, log_config=None,
                    access_log=False, timeout_keep_alive=ctx.settings.http_keep_alive_s)
        return
    if args.metrics_port:
        start_http_server(args.metrics_port, addr="127.0.0.1")
    tune_gc_for_throughput()
    # uvloop, as uvicorn gives the APIs: a consumer's socket writes to PostgreSQL and Kafka and its callbacks cost
    # markedly less CPU than on asyncio's own loop.
    if args.role == "relay":
        uvloop.run(run_relay(ctx))
    elif args.role == "worker" and work is not None:
        uvloop.run(run_worker(ctx, work))
    elif make_runner is None:
        log.info("this service consumes no topics; consumer exits")
    else:
        uvloop.run(run_consumer(ctx, make_runner, topics))
