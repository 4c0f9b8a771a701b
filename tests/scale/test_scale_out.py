"""Issue 24, scale-out proven: invoice-svc's consumer runs as 3 processes in one group over the delivery topic's 6
partitions and every service's relay runs twice (one leader, one hot standby under the advisory lock). Mid-stream
a 4th consumer joins, then one of the original consumers and the leading relays of invoice-svc and
product-config-svc are stopped with SIGTERM, as a rolling deployment or a scale-in would. Half the contracts are
configured only mid-stream, so both relays carry traffic while they are replaced: invoice-svc raises exceptions for
deliveries of contracts it does not know yet and resolves them when the contracts arrive.

Afterwards, as the fault suite checks them: every delivery event took effect once (inbox, revisions, ledger equal
to the last revision sent), a delivery restated several times ends at its highest revision even where an older
restatement arrived last, every exception raised was resolved, and every outbox row was relayed, once, each
exception's and each contract's events in the order they were written."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter, defaultdict

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from invoice_svc.settings import Settings as InvoiceSettings
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, EXCEPTIONS_TOPIC, TOPIC_PARTITIONS
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import end_offsets, read_all
from mediabill_common.testing.polling import NotReached, poll_until
from tests.e2e.harness import System, fresh_database
from tests.faults.probe import Db, call
from tests.faults.test_billing_to_cash_under_faults import (
    MINE,
    SOURCE,
    assert_ledger_matches_stream,
    bounded,
    publish_paced,
    undelivered,
)
from tests.faults.world import FaultWorld, build_fault_world
from tools.demo.client import Api

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(600)]
CONSUMER = "invoice-svc:consumer"
SCHEMAS = ("product_config_svc", "invoice_svc", "dispute_svc", "adjustment_svc", "accounting_svc")


@pytest.fixture(scope="module")
def scaled_system(database_url, kafka_bootstrap, tmp_path_factory):
    """The whole system on a database and consumer groups of its own, then 3 invoice-svc consumers and 2 relays
    of every service."""
    asyncio.run(ensure_topics(kafka_bootstrap))
    url = asyncio.run(fresh_database(database_url, "mediabill_scale"))
    running = System(url, kafka_bootstrap, tmp_path_factory.mktemp("scale-logs"), name="scale")
    try:
        running.start()
        for n in (2, 3):
            running.add_instance(f"{CONSUMER}-{n}", CONSUMER)
        for name in [p for p in running.processes if p.endswith(":relay")]:
            running.add_instance(f"{name}-2", name)
        yield running
    finally:
        running.stop()
        print(f"\nscale-out test process logs: {running.log_dir}")


async def retire(system: System, name: str) -> None:
    """Scale in: SIGTERM one process (it finishes what it holds) and forget it. Waiting for it to exit happens off
    the event loop, so the stream and the configuration keep flowing meanwhile."""
    await asyncio.to_thread(system.processes.pop(name).kill, signal.SIGTERM)


async def test_consumers_and_relays_scale_out_and_in_mid_stream_with_effects_exactly_once_in_order(
        scaled_system: System, kafka_bootstrap: str) -> None:
    system = scaled_system
    world = build_fault_world(seed=24, contracts=24, sellers=6, segments=3)
    early, late = world.contracts[::2], world.contracts[1::2]
    api = Api({name: system.url(name) for name in system.ports})
    db = Db(system.database_url)
    journal: list[str] = []
    t0 = time.monotonic()

    def note(what: str) -> None:
        journal.append(f"{time.monotonic() - t0:6.1f}s  {what}")
        print(f"[scale] {journal[-1]}", flush=True)

    try:
        await configure(api, world, early, with_catalogue=True)
        await settle(system, db, "invoice-svc's copy of the first half of the configuration",
                     lambda: config_arrived(db))
        await members(system, kafka_bootstrap, 3)
        note(f"configured {len(early)} of {len(world.contracts)} contracts; 3 consumers in the group, 2 relays "
             f"per service")
        before = await end_offsets(kafka_bootstrap, DELIVERY_TOPIC)
        # The stream in two halves, each paced, so the scale-out lands during the first and the scale-in during the
        # second however slow the machine is.
        half = len(world.stream) // 2
        publisher = asyncio.create_task(publish_paced(kafka_bootstrap, world.stream[:half], duration_s=15))
        await asyncio.sleep(5)
        system.add_instance(f"{CONSUMER}-4", CONSUMER)
        await members(system, kafka_bootstrap, 4)
        note(f"scale out: {CONSUMER}-4 joined the group (4 processes)")
        await publisher
        publisher = asyncio.create_task(publish_paced(kafka_bootstrap, world.stream[half:], duration_s=15))
        late_config = asyncio.create_task(configure(api, world, late))
        note(f"second half of the stream; configuring the other {len(late)} contracts meanwhile")
        await asyncio.sleep(3)
        for name in (CONSUMER, "invoice-svc:relay", "product-config-svc:relay"):
            await retire(system, name)
            note(f"scale in: {name} (SIGTERM)")
        await members(system, kafka_bootstrap, 3)
        note("the group is back to 3 processes")
        await late_config
        await publisher
        note(f"published {len(world.stream)} events of {len(world.final)} deliveries")
        grown = await partitions_grown(kafka_bootstrap, before)
        assert len(grown) == TOPIC_PARTITIONS[DELIVERY_TOPIC], f"the stream reached partitions {grown} only"

        await settle(system, db, "every delivery in the ledger, every exception resolved, every outbox row sent",
                     lambda: nothing_outstanding(db, world), status=lambda: outstanding(db, world))
        note("converged")
        figures = await assert_exactly_once_in_order(db, world, kafka_bootstrap)
        print("\n".join(["", "=" * 72, "Scale-out: 3 -> 4 -> 3 invoice-svc consumers, 2 -> 1 relays",
                         *(f"  {k:40} = {v}" for k, v in figures.items()), *("  " + j for j in journal),
                         "=" * 72]), flush=True)
    finally:
        await api.close()
        await db.close()


async def configure(api: Api, world: FaultWorld, contracts: list[dict], *, with_catalogue: bool = False) -> None:
    if with_catalogue:
        async def product(p: dict) -> None:
            await call(api, "POST", "product-config-svc", "/v1/products", p, as_="config-admin")
            if p["code"] in world.rate_cards:
                await call(api, "POST", "product-config-svc", f"/v1/products/{p['code']}/rate-cards",
                           world.rate_cards[p["code"]], as_="config-admin")
            await call(api, "POST", "product-config-svc", f"/v1/products/{p['code']}/activate",
                       {"reason": "readiness passed"}, as_="config-admin")

        async def account(a: dict) -> None:
            await call(api, "POST", "product-config-svc", "/v1/accounts", a, as_="config-admin")

        await bounded(world.products, product, 4)
        await bounded([a for a in world.accounts if a["type"] != "agency"], account, 4)
        await bounded([a for a in world.accounts if a["type"] == "agency"], account, 4)

    async def contract(c: dict) -> None:
        await call(api, "POST", "product-config-svc", "/v1/contracts", c, as_="config-admin")
        await call(api, "POST", "product-config-svc", f"/v1/contracts/{c['contract_id']}/activate",
                   {"reason": "IO signed"}, as_="config-admin")

    await bounded(contracts, contract, 4)


async def config_arrived(db: Db) -> bool:
    return await undelivered(db, "product_config_svc", "invoice_svc", "invoice-svc") == 0


async def settle(system: System, db: Db, what: str, check, status=None) -> None:
    """Wait for `check()`; the deadline only bounds a hung run, it is not what the test asserts."""
    try:
        await poll_until(check, what=what, timeout_s=420, every_s=1, alive=system.check_alive)
    except NotReached as exc:
        detail = await status() if status else ""
        tails = "\n".join(f"----- {p.name}\n{p.tail(30)}" for p in system.processes.values())
        raise AssertionError(f"never converged: {what} ({detail})\n{exc}\n{tails}") from exc


async def members(system: System, bootstrap: str, processes: int) -> None:
    """Wait until invoice-svc's group has settled with `processes` consumer processes, each CONSUMER_RUNNERS members
    of it (the group assigns the delivery topic's 6 partitions round-robin over the members; with 4 processes of
    two runners, two members wait idle)."""
    count = processes * InvoiceSettings.model_fields["consumer_runners"].default
    group = f"invoice-svc-{system.name}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        async def described() -> tuple[str, int]:
            _error, _group, state, _protocol_type, _protocol, found = (
                await admin.describe_consumer_groups([group]))[0].groups[0]
            return state, len(found)

        await poll_until(described, what=f"{group} to settle with {count} members ({processes} processes)",
                         until=lambda got: got == ("Stable", count), timeout_s=180, every_s=0.5,
                         alive=system.check_alive)
    finally:
        await admin.close()


async def partitions_grown(bootstrap: str, before: dict) -> list[int]:
    after = await end_offsets(bootstrap, DELIVERY_TOPIC)
    return sorted(tp.partition for tp, end in after.items() if end > before.get(tp, 0))


async def nothing_outstanding(db: Db, world: FaultWorld) -> bool:
    return not await outstanding(db, world)


async def outstanding(db: Db, world: FaultWorld) -> dict[str, int]:
    """What is still outstanding; empty once the system has converged."""
    expected_revisions = sum(d["revision"] for d in world.final.values())
    ledger = (await db.fetch(f"SELECT count(*) AS n, coalesce(sum(revision), 0) AS r, "
                             f"count(*) FILTER (WHERE NOT billable) AS unbillable FROM invoice_svc.deliveries "
                             f"WHERE {MINE}"))[0]
    left = {
        "deliveries missing": len(world.final) - ledger["n"],
        "revisions behind": expected_revisions - ledger["r"],
        "unbillable": ledger["unbillable"],
        "open exceptions": await db.value(f"SELECT count(*) FROM invoice_svc.billing_exceptions WHERE status <> "
                                          f"'resolved' AND {MINE}"),
        "config not at invoice-svc": await undelivered(db, "product_config_svc", "invoice_svc", "invoice-svc"),
    }
    for schema in SCHEMAS:
        left[f"{schema} outbox unsent"] = await db.value(
            f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL")
    return {k: v for k, v in left.items() if v}


async def assert_exactly_once_in_order(db: Db, world: FaultWorld, bootstrap: str) -> dict[str, object]:
    # Each delivery event took effect once, and every delivery holds its last revision with its figures.
    ledger_rows = await assert_ledger_matches_stream(db, world)
    inbox = await db.value("SELECT count(*) FROM invoice_svc.inbox WHERE consumer = 'invoice-svc' AND source = $1",
                           SOURCE)
    assert inbox == len(world.event_ids), f"{inbox} delivery events in the inbox, {len(world.event_ids)} sent"
    restated_twice = [d for d, r in world.final.items() if r["revision"] == 2]
    assert restated_twice, "the world must hold deliveries restated twice (the older restatement sent last)"
    # Invoice-svc's exceptions: raised while contracts were missing, resolved once they arrived.
    exceptions = {r["status"]: r["n"] for r in await db.fetch(
        f"SELECT status, count(*) AS n FROM invoice_svc.billing_exceptions WHERE {MINE} GROUP BY status")}
    assert exceptions.get("resolved", 0) > 0 and set(exceptions) == {"resolved"}, exceptions
    figures: dict[str, object] = {
        "deliveries (ledger rows)": ledger_rows, "delivery events (distinct)": inbox,
        "delivery events published": len(world.stream), "restated twice": len(restated_twice),
        "exceptions raised and resolved": exceptions["resolved"]}
    for schema, topic in (("product_config_svc", CONFIG_TOPIC), ("invoice_svc", EXCEPTIONS_TOPIC)):
        relayed, duplicates, out_of_order = await relayed_once_in_order(db, bootstrap, schema, topic)
        assert duplicates == [], f"{schema}'s events on {topic} more than once: {duplicates[:3]}"
        assert out_of_order == [], f"{schema}'s events on {topic} out of order per subject: {out_of_order[:3]}"
        figures[f"{schema} outbox rows relayed once"] = relayed
    return figures


async def relayed_once_in_order(db: Db, bootstrap: str, schema: str, topic: str) -> tuple[int, list, list]:
    """Every row of `schema`'s outbox for `topic` found on the topic exactly once, and the events of each subject
    (one exception, one contract) in the order they were written. Across subjects of one key, id order is not commit
    order: two consumers raise exceptions of one account in concurrent transactions, and the relay publishes a row
    whose transaction took the earlier id but committed later after the others (relay.py, the commit-order gap)."""
    rank = {r["event_id"]: r["id"] for r in await db.fetch(
        f"SELECT event_id, id FROM {schema}.outbox WHERE topic = $1", topic)}
    seen: Counter[str] = Counter()
    last: dict[str, int] = defaultdict(int)
    out_of_order = []
    for value, _record in await read_all(bootstrap, topic):
        event_id = value.get("id") if isinstance(value, dict) else None
        if event_id not in rank:
            continue  # another system's event on the shared topic
        seen[event_id] += 1
        subject = value["subject"]
        if rank[event_id] < last[subject]:
            out_of_order.append((subject, value["type"], event_id))
        last[subject] = max(last[subject], rank[event_id])
    missing = set(rank) - set(seen)
    assert not missing, f"{len(missing)} of {schema}'s outbox rows for {topic} never reached it"
    return len(rank), [e for e, n in seen.items() if n > 1], out_of_order
