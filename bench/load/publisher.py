"""The ad platforms during the benchmark: CampaignDelivered streamed to ads.delivery.v1 at a steady rate.

Runs as its own process (asyncio + aiokafka; the locust process is gevent-patched):
`python -m bench.load.publisher --rate 1000 --warmup 10 --duration 60`. It prepares the records, prints `READY`,
waits for a line on stdin, then publishes for `--warmup` seconds (so ingestion is in its steady state when the
window opens) and `--duration` seconds more, and prints one JSON line with what it published and how far
invoice-svc's consumer group got (committed offsets on the topic) during the window, and how long it took to
catch up afterwards (capped by `--drain-s`).

Records are today's daily reports and restatements of the current month for the active contracts and sellers: each
send restates a (line item, service date) at a higher revision (seconds since 2023-11-14, so later runs restate
again), ~2% are resent with the same event id, like a platform retrying.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from datetime import date

import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.load.deliveries import delivery_record, delivery_slots, month_days
from bench.load.fixtures import service_urls, tokens
from mediabill_common.events.catalog import DELIVERY_TOPIC
from mediabill_common.events.envelope import CONTENT_TYPE, new_envelope
from mediabill_common.kafka import make_producer

REVISION_EPOCH = 1_700_000_000
TICK_S = 0.05


async def _get_all(client: httpx.AsyncClient, url: str) -> list[dict]:
    items, cursor = [], None
    while True:
        response = await client.get(url, params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def _slots(today: date):
    urls = service_urls()
    headers = {"Authorization": f"Bearer {tokens()['billing-analyst']}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        contracts = await _get_all(client, f"{urls['product-config-svc']}/v1/contracts")
        products = {p["code"]: p for p in await _get_all(client, f"{urls['product-config-svc']}/v1/products")}
        accounts = await _get_all(client, f"{urls['product-config-svc']}/v1/accounts")
    sellers = [a["account_id"] for a in accounts if a["type"] == "seller"]
    days = month_days(f"{today:%Y-%m}", until=today) or month_days(f"{today:%Y-%m}")[:1]
    return delivery_slots(contracts, products, days, sellers), products


async def committed(admin: AIOKafkaAdminClient, group: str, partitions: list[TopicPartition]) -> int:
    offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
    return sum(max(meta.offset, 0) for meta in offsets.values())


async def log_end(bootstrap: str, partitions: list[TopicPartition]) -> int:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


async def _publish(producer, rng: random.Random, slots, products, rate: float, duration: float,
                   progress: dict[str, int]) -> None:
    """Sends `rate` events a second in small ticks until `duration` is over; counts events and resends in
    `progress` as it goes."""
    sent = resent = 0
    order = list(range(len(slots)))
    rng.shuffle(order)
    cursor, last = 0, None
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < duration:
        due = int(rate * min(elapsed + TICK_S, duration)) - sent
        for _ in range(max(0, due)):
            if last is not None and rng.random() < 0.02:
                envelope, resent = last, resent + 1  # a platform retry: the same event again
            else:
                slot = slots[order[cursor % len(order)]]
                cursor += 1
                data = delivery_record(rng, slot, products[slot[2]]["pricing_model"],
                                       int(time.time()) - REVISION_EPOCH)
                envelope = new_envelope(type="CampaignDelivered", source="/ad-platforms/pio",
                                        subject=data["delivery_id"], data=data, id=str(uuid.uuid4()))
            await producer.send(DELIVERY_TOPIC, value=envelope.to_json_bytes(),
                                key=envelope.data["line_item_id"].encode(),
                                headers=[("content-type", CONTENT_TYPE.encode())])
            last, sent = envelope, sent + 1
            progress.update(sent=sent, resent=resent)
        await asyncio.sleep(max(0.0, started + elapsed + TICK_S - time.perf_counter()))
    await producer.flush()


async def _main(args: argparse.Namespace) -> dict:
    slots, products = await _slots(date.today())
    if not slots:
        raise SystemExit("no active contract line or seller to report deliveries for")
    admin = AIOKafkaAdminClient(bootstrap_servers=args.bootstrap)
    producer = make_producer(args.bootstrap, client_id="bench-load-publisher")
    await admin.start()
    await producer.start()
    try:
        described = (await admin.describe_topics([DELIVERY_TOPIC]))[0]["partitions"]
        partitions = [TopicPartition(DELIVERY_TOPIC, p["partition"]) for p in described]
        print(f"READY {len(slots)} delivery slots", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        progress = {"sent": 0, "resent": 0}
        publishing = asyncio.create_task(_publish(producer, random.Random(args.seed), slots, products, args.rate,
                                                  args.warmup + args.duration, progress))
        await asyncio.sleep(args.warmup)  # the stream is steady when the window opens
        at_start = dict(progress)
        end_before, done_before = await log_end(args.bootstrap, partitions), await committed(admin, args.group,
                                                                                             partitions)
        await publishing
        end_after, done_after = await log_end(args.bootstrap, partitions), await committed(admin, args.group,
                                                                                           partitions)
        drained_s = await _drain(admin, args, partitions, end_after)
        return {"slots": len(slots), "published": progress["sent"] - at_start["sent"],
                "resent": progress["resent"] - at_start["resent"], "lag_before": end_before - done_before,
                "ingested_in_window": done_after - done_before, "lag_after": end_after - done_after,
                "caught_up_after_s": drained_s, "group": args.group}
    finally:
        await producer.stop()
        await admin.close()


async def _drain(admin, args, partitions, target: int) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < args.drain_s:
        if await committed(admin, args.group, partitions) >= target:
            return round(time.perf_counter() - started, 1)
        await asyncio.sleep(0.5)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.load.publisher", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=1000.0, help="CampaignDelivered per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the measured window")
    parser.add_argument("--warmup", type=float, default=0.0,
                        help="seconds published before the window opens (not counted)")
    parser.add_argument("--drain-s", type=float, default=30.0, help="how long to wait for the consumer to catch up")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--group", default=os.environ.get("CONSUMER_GROUP", "invoice-svc"),
                        help="invoice-svc's consumer group (default: invoice-svc)")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092"))
    result = asyncio.run(_main(parser.parse_args(argv)))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
