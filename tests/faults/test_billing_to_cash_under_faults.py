"""Issue 9: the billing-to-cash flow with >= 100,000 deliveries while processes are SIGKILLed and restarted, the
Kafka broker and PostgreSQL are restarted and the ingest consumer group rebalances. Afterwards: the ledger equals
the generated stream (last revision wins), invoices equal figures computed here, every event took effect exactly
once at every consumer, per-account order held, collections' AR equals invoice-svc's balances to the cent, and
accounting-svc posted each invoice, memo and payment once, its receivable tying out to invoice-svc's balances."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal

import httpx
import pytest

from deploy.processes import COLLECTIONS, SERVICES
from mediabill_common.events.catalog import DELIVERY_TOPIC
from mediabill_common.events.envelope import new_envelope
from mediabill_common.kafka import make_producer
from mediabill_common.testing.kafka import read_all
from mediabill_common.testing.polling import poll_until
from tests.faults.chaos import Chaos
from tests.faults.probe import Db, call, converge
from tests.faults.world import PERIOD, FaultWorld, build_fault_world, cents
from tools.demo.client import Api, ApiError

# One scenario of many phases (ingest, bill run, disputes, payments, the journal's tie-out) under kills and restarts:
# the suite's 600 s per-test limit is for ordinary tests; this one gets 1500 s, still well inside CI's budget.
pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(1500)]
SEED = 9
SOURCE = "/ad-platforms/fault-suite"
MINE = "(delivery_id LIKE 'FLI-%' OR delivery_id LIKE 'FSS-%')"


async def test_billing_to_cash_survives_process_broker_and_database_faults(fault_system, stack, kafka_bootstrap):
    t0 = time.monotonic()
    rng = random.Random(SEED)
    world = build_fault_world()
    assert len(world.final) >= 100_000
    chaos = Chaos(fault_system, stack, rng)
    api = Api({name: fault_system.url(name) for name in fault_system.ports})
    db = Db(fault_system.database_url)
    try:
        await configure(api, world)
        async def config_arrived() -> bool:
            return await undelivered(db, "product_config_svc", "invoice_svc", "invoice-svc") == 0

        await converge(chaos, config_arrived, what="invoice-svc's copy of the configuration")
        print(f"[faults] configured in {time.monotonic() - t0:.0f}s", flush=True)
        await ingest_under_faults(chaos, db, world, kafka_bootstrap)
        ledger_rows = await assert_ledger_matches_stream(db, world)
        expected = world.expected_invoices()
        invoices = await bill_run_under_faults(chaos, api, db, expected)
        assert_invoices_match(invoices, expected, await db.fetch(
            "SELECT l.invoice_id, l.kind, l.line_item_id, l.quantity, l.amount FROM invoice_svc.invoice_lines l "
            "JOIN invoice_svc.invoices i USING (invoice_id) WHERE i.status = 'issued' AND i.period = $1", PERIOD))
        memos = await disputes_and_credits_under_faults(chaos, api, db, invoices, expected)
        paid = await payments_under_faults(chaos, api, db, invoices, expected, memos)
        figures = await assert_exactly_once_in_order(chaos, db, world, invoices, expected, memos, paid,
                                                     kafka_bootstrap)
        figures["ledger rows"] = ledger_rows
        print_figures(chaos, figures, time.monotonic() - t0)
    except BaseException:
        print("\n[faults] fault journal:\n" + "\n".join(chaos.journal), flush=True)
        raise
    finally:
        await api.close()
        await db.close()


# --- configuration through product-config-svc's REST API (feeds the config topic) ------------------------------

async def configure(api: Api, world: FaultWorld) -> None:
    async def product(p: dict) -> None:
        await call(api, "POST", "product-config-svc", "/v1/products", p, as_="config-admin")
        if p["code"] in world.rate_cards:
            await call(api, "POST", "product-config-svc", f"/v1/products/{p['code']}/rate-cards",
                       world.rate_cards[p["code"]], as_="config-admin")
        await call(api, "POST", "product-config-svc", f"/v1/products/{p['code']}/activate",
                   {"reason": "readiness passed"}, as_="config-admin")

    async def account(a: dict) -> None:
        await call(api, "POST", "product-config-svc", "/v1/accounts", a, as_="config-admin")

    async def contract(c: dict) -> None:
        await call(api, "POST", "product-config-svc", "/v1/contracts", c, as_="config-admin")
        await call(api, "POST", "product-config-svc", f"/v1/contracts/{c['contract_id']}/activate",
                   {"reason": "IO signed"}, as_="config-admin")

    await bounded(world.products, product, 4)
    await bounded([a for a in world.accounts if a["type"] != "agency"], account, 8)
    await bounded([a for a in world.accounts if a["type"] == "agency"], account, 8)
    await bounded(world.contracts, contract, 12)


async def bounded(items, action, concurrency: int) -> list:
    sem = asyncio.Semaphore(concurrency)

    async def one(item):
        async with sem:
            return await action(item)

    return await asyncio.gather(*(one(i) for i in items))


# --- ingest: a paced publisher while faults land at random -------------------------------------------------------

async def ingest_under_faults(chaos: Chaos, db: Db, world: FaultWorld, bootstrap: str) -> None:
    kills = [f"{svc.name}:{role}" for svc in SERVICES for role in svc.roles] + [COLLECTIONS.name]
    actions: list = [lambda phase, n=name: chaos.kill(n, phase) for name in kills]
    actions += [chaos.restart_kafka, chaos.restart_postgres]
    chaos.rng.shuffle(actions)
    added: list[str] = []

    async def scale_out(phase):
        added.append(await chaos.scale_out("invoice-svc:consumer", phase))

    async def scale_in(phase):
        await chaos.scale_in(added.pop(), phase)

    at = chaos.rng.randrange(0, len(actions) // 2)
    actions.insert(at, scale_out)
    actions.insert(chaos.rng.randrange(at + 2, len(actions) + 1), scale_in)
    publisher = asyncio.create_task(publish_paced(bootstrap, world.stream, duration_s=55))
    await chaos.run_schedule(actions, "ingest", (1.0, 4.0))
    await publisher
    expected_revisions = sum(d["revision"] for d in world.final.values())

    async def ledger_complete():
        row = (await db.fetch(f"SELECT count(*) AS n, coalesce(sum(revision), 0) AS r FROM invoice_svc.deliveries "
                              f"WHERE {MINE}"))[0]
        return row["n"] == len(world.final) and row["r"] == expected_revisions

    async def status():
        row = (await db.fetch(f"SELECT count(*) AS n FROM invoice_svc.deliveries WHERE {MINE}"))[0]
        return f"{row['n']} of {len(world.final)} deliveries in the ledger"

    await converge(chaos, ledger_complete, what="the ledger to hold every delivery", status=status)


async def publish_paced(bootstrap: str, stream: list, *, duration_s: float, chunk: int = 1000) -> None:
    """Publish the stream in order, spread over `duration_s`, riding out broker restarts (a chunk that failed is
    sent again: the same event ids, which the consumer must deduplicate)."""
    start = time.monotonic()
    chunks = [stream[i:i + chunk] for i in range(0, len(stream), chunk)]
    producer = None
    for n, part in enumerate(chunks):
        records = [(key, new_envelope(type="CampaignDelivered", source=SOURCE, subject=data["delivery_id"],
                                      data=data, id=event_id).to_json_bytes()) for event_id, key, data in part]
        while True:
            try:
                if producer is None:
                    producer = make_producer(bootstrap, client_id="fault-suite-platform")
                    await producer.start()
                futures = [await producer.send(DELIVERY_TOPIC, value=v, key=k.encode(),
                                               headers=[("content-type", b"application/cloudevents+json")])
                           for k, v in records]
                await asyncio.gather(*futures)
                break
            except Exception as exc:  # noqa: BLE001 - the broker is restarting: reconnect and resend
                print(f"[faults] publisher: {type(exc).__name__}; resending chunk {n}", flush=True)
                if producer is not None:
                    await asyncio.shield(_stop_quietly(producer))
                producer = None
                await asyncio.sleep(1)
        await asyncio.sleep(max(0.0, start + duration_s * (n + 1) / len(chunks) - time.monotonic()))
    if producer is not None:
        await producer.stop()


async def _stop_quietly(producer) -> None:
    # The broker may be what the chaos just killed: a producer that cannot stop cleanly is abandoned, not fatal.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.stop(), timeout=10)


async def assert_ledger_matches_stream(db: Db, world: FaultWorld) -> int:
    rows = await db.fetch(f"SELECT delivery_id, revision, impressions, viewable_impressions, clicks, conversions, "
                          f"media_cost, billable, account_id, contract_id FROM invoice_svc.deliveries WHERE {MINE}")
    assert len(rows) == len(world.final), f"ledger holds {len(rows)} deliveries, the stream {len(world.final)}"
    wrong = []
    for row in rows:
        d = world.final[row["delivery_id"]]
        got = (row["revision"], row["impressions"], row["viewable_impressions"], row["clicks"], row["conversions"],
               None if row["media_cost"] is None else Decimal(row["media_cost"]), row["billable"],
               row["account_id"], row["contract_id"])
        want = (d["revision"], d["impressions"], d["viewable_impressions"], d["clicks"], d["conversions"],
                None if d["media_cost"] is None else Decimal(d["media_cost"]), True, d["account_id"],
                d["contract_id"])
        if got != want:
            wrong.append((row["delivery_id"], got, want))
    assert not wrong, f"{len(wrong)} ledger rows differ from the last revision sent, e.g. {wrong[:3]}"
    revisions = await db.value(f"SELECT count(*) FROM invoice_svc.delivery_revisions WHERE {MINE}")
    sent = len({(d["delivery_id"], d["revision"]) for _, _, d in world.stream})
    assert revisions == sent, f"{revisions} revisions recorded, {sent} distinct revisions sent"
    return len(rows)


# --- the bill run, with its executor killed and the database restarted under it ----------------------------------

async def bill_run_under_faults(chaos: Chaos, api: Api, db: Db, expected: dict) -> dict:
    bill_tos = sorted({bill_to for bill_to, _ in expected})
    run = await call(api, "POST", "invoice-svc", "/v1/bill-runs", {
        "period": PERIOD, "mode": "issue", "bill_to_account_ids": bill_tos}, as_="billing-manager")
    await asyncio.sleep(chaos.rng.uniform(0.3, 1.5))
    await chaos.kill("invoice-svc:worker", "bill-run")  # the process that executes the run
    await chaos.restart_postgres("bill-run")
    await asyncio.sleep(chaos.rng.uniform(0.5, 2))
    await chaos.kill("invoice-svc:relay", "bill-run")

    async def done():
        rows = await db.fetch("SELECT status, error FROM invoice_svc.bill_runs WHERE run_id = $1", run["run_id"])
        assert rows and rows[0]["status"] != "failed", f"bill run failed: {rows and dict(rows[0])}"
        return rows[0]["status"] == "completed"

    async def run_status():
        rows = await db.fetch("SELECT status, groups_done, groups_total, attempts FROM invoice_svc.bill_runs "
                              "WHERE run_id = $1", run["run_id"])
        return str(dict(rows[0])) if rows else "no run row"

    await converge(chaos, done, what="the bill run", status=run_status)
    rows = await db.fetch("SELECT * FROM invoice_svc.invoices WHERE status = 'issued' AND period = $1", PERIOD)
    return {(r["bill_to_account_id"], r["contract_key"]): dict(r) for r in rows
            if (r["bill_to_account_id"], r["contract_key"]) in expected}


def assert_invoices_match(invoices: dict, expected: dict, lines) -> None:
    assert set(invoices) == set(expected), (f"missing invoices {sorted(set(expected) - set(invoices))[:5]}, "
                                            f"unexpected {sorted(set(invoices) - set(expected))[:5]}")
    by_invoice: dict[str, list] = defaultdict(list)
    for line in lines:
        by_invoice[line["invoice_id"]].append(line)
    wrong = []
    for key, want in expected.items():
        invoice = invoices[key]
        mine = by_invoice[invoice["invoice_id"]]
        kinds = Counter(line["kind"] for line in mine)
        got = {"total": Decimal(invoice["total"]),
               "discount": sum((Decimal(line["amount"]) for line in mine if line["kind"] == "discount"), Decimal(0)),
               "commission": sum((Decimal(line["amount"]) for line in mine if line["kind"] == "agency_commission"),
                                 Decimal(0))}
        if want["lines"] is not None:
            usage: dict[str, tuple[int, Decimal]] = {}
            for line in mine:
                if line["kind"] == "usage":
                    qty, amount = usage.get(line["line_item_id"], (0, Decimal(0)))
                    usage[line["line_item_id"]] = (qty + line["quantity"], amount + Decimal(line["amount"]))
            got["lines"] = usage
        if got != {k: want[k] for k in got} or set(kinds) - {"usage", "discount", "agency_commission"}:
            wrong.append((key, got, want, dict(kinds)))
    assert not wrong, f"{len(wrong)} of {len(expected)} invoices differ from the figures computed here: {wrong[:2]}"


# --- disputes and credits, with their consumers and relays killed meanwhile ---------------------------------------

DISPUTES = [("120.00", "upheld", "120.00"), ("300.00", "partially_upheld", "150.00"), ("80.00", "rejected", "0"),
            ("600.00", "upheld", "600.00")]


async def disputes_and_credits_under_faults(chaos: Chaos, api: Api, db: Db, invoices: dict,
                                            expected: dict) -> dict[str, Decimal]:
    """Returns invoice id -> the credit memo total expected on it (rule 21, computed here)."""
    chosen = sorted(k for k, v in expected.items() if v["discount"] and v["commission"] and v["total"] > 5000)
    targets = [invoices[k] for k in chosen[:len(DISPUTES)]]
    assert len(targets) == len(DISPUTES)
    background = asyncio.gather(chaos.run_schedule(
        [lambda p: chaos.kill("dispute-svc:consumer", p), lambda p: chaos.kill("adjustment-svc:consumer", p),
         lambda p: chaos.kill("adjustment-svc:relay", p), lambda p: chaos.kill("dispute-svc:relay", p),
         lambda p: chaos.kill("accounting-svc:consumer", p)],
        "disputes", (0.5, 3.0)))
    memos: dict[str, Decimal] = {}
    dispute_ids = []
    for invoice, (amount, outcome, credit) in zip(targets, DISPUTES, strict=True):
        lines = await db.fetch("SELECT invoice_line_id, amount FROM invoice_svc.invoice_lines WHERE invoice_id = $1 "
                               "AND kind = 'usage' ORDER BY line_no", invoice["invoice_id"])
        line = max(lines, key=lambda r: Decimal(r["amount"]))

        async def opened(invoice=invoice, line=line, amount=amount):
            try:
                return await call(api, "POST", "dispute-svc", "/v1/disputes", {
                    "invoice_id": invoice["invoice_id"], "reason_code": "delivery_discrepancy",
                    "description": "Our ad server counted fewer impressions",
                    "lines": [{"invoice_line_id": line["invoice_line_id"], "amount": amount}]},
                    as_="billing-analyst")
            except ApiError as exc:
                if exc.status == 422:
                    return None  # dispute-svc has not consumed InvoiceIssued yet
                raise

        dispute = await converge(chaos, opened, what="dispute-svc's copy of the invoice", every_s=2)
        did = dispute["dispute_id"]
        dispute_ids.append(did)
        await call(api, "POST", "dispute-svc", f"/v1/disputes/{did}/assign", {"assignee": "omar.analyst"},
                   as_="billing-analyst")
        await call(api, "POST", "dispute-svc", f"/v1/disputes/{did}/resolve", {
            "outcome": outcome, "credit_amount": credit, "resolution_note": f"{outcome} after log review"},
            as_="billing-manager")
        if Decimal(credit):
            want = expected[(invoice["bill_to_account_id"], invoice["contract_key"])]
            base = want["total"] - want["discount"] - want["commission"]
            c = Decimal(credit)
            memos[invoice["invoice_id"]] = c + cents(want["discount"] * c / base) + cents(want["commission"] * c / base)
    await background

    async def approved_or_memo():
        items = await call(api, "GET", "adjustment-svc", "/v1/adjustments", as_="billing-analyst", limit=500)
        linked = [a for a in items["items"] if a.get("dispute_id") in dispute_ids]
        if len(linked) < len(memos):
            return None
        for adjustment in linked:
            if adjustment["status"] == "pending_approval":
                await call(api, "POST", "adjustment-svc", f"/v1/adjustments/{adjustment['adjustment_id']}/approve",
                           {"comment": "evidence reviewed"}, as_="billing-manager-2")
        return all(a["status"] != "pending_approval" for a in linked)

    await converge(chaos, approved_or_memo, what="the credit requests from the disputes", every_s=2)

    async def credited():
        rows = await db.fetch("SELECT invoice_id, credited, disputed_amount FROM invoice_svc.invoices "
                              "WHERE invoice_id = ANY($1::text[])", [i["invoice_id"] for i in targets])
        return all(Decimal(r["credited"]) == memos.get(r["invoice_id"], 0) and Decimal(r["disputed_amount"]) == 0
                   for r in rows)

    await converge(chaos, credited, what="the credit memos on invoice-svc's balances")
    return memos


# --- payments through collections, with the broker restarted and consumers killed between and during waves ----

async def payments_under_faults(chaos: Chaos, api: Api, db: Db, invoices: dict, expected: dict,
                                memos: dict[str, Decimal]) -> dict[str, Decimal]:
    """Returns invoice id -> what was paid on it."""
    plan: dict[str, Decimal] = {}
    for n, (key, invoice) in enumerate(sorted(invoices.items())):
        total = expected[key]["total"]
        if invoice["invoice_id"] in memos:
            plan[invoice["invoice_id"]] = total - memos[invoice["invoice_id"]]
        else:
            plan[invoice["invoice_id"]] = cents(total / 2) if n % 4 == 0 else total
    ids = sorted(plan)
    waves = [ids[: len(ids) // 2], ids[len(ids) // 2:]]

    def alive() -> None:
        try:
            chaos.check_alive()
        except RuntimeError as exc:
            raise AssertionError(f"a process died on its own during payments: {exc}\n{chaos.tails()}") from exc

    async def pay(invoice_id: str) -> None:
        body = {"invoice_id": invoice_id, "amount": str(plan[invoice_id])}

        async def accepted() -> str | None:
            try:
                await api.post("collections", "/v1/payments", body, as_="service")
            except httpx.ConnectError:
                return None  # collections is restarting: nothing was sent
            except ApiError as exc:
                if exc.status != 404:  # 404: collections has not consumed InvoiceIssued yet
                    raise
                return None
            return "accepted"

        await poll_until(accepted, what=f"collections to accept the payment for {invoice_id}", timeout_s=240,
                         every_s=1, alive=alive)

    during = asyncio.gather(chaos.run_schedule([lambda p: chaos.kill("invoice-svc:consumer", p)],
                                               "payments", (0.5, 2.0)))
    await bounded(waves[0], pay, 8)
    await during
    await chaos.kill("collections", "payments")
    await chaos.restart_postgres("payments")
    during = asyncio.gather(chaos.run_schedule([lambda p: chaos.kill("invoice-svc:relay", p),
                                                lambda p: chaos.kill("accounting-svc:consumer", p),
                                                lambda p: chaos.kill("invoice-svc:consumer", p),
                                                lambda p: chaos.kill("accounting-svc:relay", p)],
                                               "payments", (0.5, 2.0)))
    await bounded(waves[1], pay, 8)
    await during
    return plan


# --- the checks: exactly once in effect, order, AR ----------------------------------------------------------------

async def undelivered(db: Db, producer: str, consumer: str, name: str, types: list[str] | None = None) -> int:
    """Outbox rows of `producer` (of the event types `consumer` handles) not in `consumer`'s inbox, or unsent."""
    return await db.value(
        f"SELECT count(*) FROM {producer}.outbox o WHERE (o.event_type = ANY($2::text[]) OR $2 IS NULL) "
        f"AND (o.sent_at IS NULL OR NOT EXISTS (SELECT 1 FROM {consumer}.inbox i WHERE i.consumer = $1 "
        f"AND i.source = o.envelope->>'source' AND i.event_id = o.event_id))", name, types)


async def handled_types() -> dict[str, tuple[list[str], set[str]]]:
    """service -> (topics it consumes, event types its handler table takes), from the services' own code."""
    import accounting_svc.bootstrap as acc_b
    import accounting_svc.entrypoints.consumer as acc_c
    import adjustment_svc.bootstrap as adj_b
    import adjustment_svc.entrypoints.consumer as adj_c
    import dispute_svc.bootstrap as dis_b
    import dispute_svc.entrypoints.consumer as dis_c
    import invoice_svc.bootstrap as inv_b
    import invoice_svc.entrypoints.consumer as inv_c
    import product_config_svc.bootstrap as pc_b
    import product_config_svc.entrypoints.consumer as pc_c

    out = {}
    for service, boot, cons in (("invoice-svc", inv_b, inv_c), ("dispute-svc", dis_b, dis_c),
                                ("adjustment-svc", adj_b, adj_c), ("product-config-svc", pc_b, pc_c),
                                ("accounting-svc", acc_b, acc_c)):
        ctx = boot.build()
        try:
            out[service] = (list(cons.TOPICS), set(cons.make_runner(ctx, None)._known))
        finally:
            await ctx.close()
    return out


async def assert_exactly_once_in_order(chaos: Chaos, db: Db, world: FaultWorld, invoices: dict, expected: dict,
                                       memos: dict[str, Decimal], paid: dict[str, Decimal], bootstrap: str) -> dict:
    consumers = await handled_types()
    producers = {"product_config_svc": "product-config-svc", "invoice_svc": "invoice-svc",
                 "dispute_svc": "dispute-svc", "adjustment_svc": "adjustment-svc", "accounting_svc": "accounting-svc"}
    ids = [i["invoice_id"] for i in invoices.values()]

    async def pending() -> dict[str, int]:
        gaps: dict[str, int] = {}
        for schema, producer in producers.items():
            for consumer, (topics, known) in consumers.items():
                types = await db.fetch(f"SELECT DISTINCT event_type, topic FROM {schema}.outbox")
                handled = [r["event_type"] for r in types if r["topic"] in topics and r["event_type"] in known]
                if handled:
                    gaps[f"{producer} -> {consumer}"] = await undelivered(
                        db, schema, consumer.replace("-", "_"), consumer, handled)
            gaps[f"{producer} -> collections"] = await db.value(
                f"SELECT count(*) FROM {schema}.outbox o WHERE o.topic IN ('billing.invoices.v1', "
                f"'billing.disputes.v1') AND o.event_type <> 'InvoiceVoided' AND NOT EXISTS (SELECT 1 FROM "
                f"collections.processed p WHERE p.source = o.envelope->>'source' AND p.id = o.event_id)")
        gaps["collections payments -> invoice-svc"] = await db.value(
            "SELECT count(*) FROM collections.payments p WHERE NOT EXISTS (SELECT 1 FROM invoice_svc.balance_entries "
            "b WHERE b.entry_id = p.payment_id)")
        gaps["payments expected but not made"] = len(paid) - await db.value(
            "SELECT count(DISTINCT invoice_id) FROM collections.payments WHERE invoice_id = ANY($1::text[])", ids)
        gaps["platform -> invoice-svc"] = len(world.event_ids) - await db.value(
            "SELECT count(*) FROM invoice_svc.inbox WHERE consumer = 'invoice-svc' AND source = $1", SOURCE)
        return {k: v for k, v in gaps.items() if v}

    async def settled() -> bool:
        return not await pending() and not await ar_differences(db, ids) and not await journal_differences(db, ids)

    async def status() -> str:
        return (f"undelivered {await pending()}, AR differences {len(await ar_differences(db, ids))}, "
                f"journal differences {(await journal_differences(db, ids))[:3]}")

    await converge(chaos, settled, what="every event at every consumer and AR agreeing",
                   status=status)
    lost = sum((await pending()).values())

    # Effects counted once: balances recomputed here from what was paid and credited.
    rows = {r["invoice_id"]: r for r in await db.fetch(
        "SELECT * FROM invoice_svc.invoices WHERE invoice_id = ANY($1::text[])", ids)}
    entries = await db.fetch("SELECT kind, count(*) AS n, count(DISTINCT entry_id) AS d, sum(amount) AS s "
                             "FROM invoice_svc.balance_entries WHERE invoice_id = ANY($1::text[]) GROUP BY kind", ids)
    payments = await db.value("SELECT count(*) FROM collections.payments WHERE invoice_id = ANY($1::text[])", ids)
    # Only this world's invoices: the consumers also read earlier tests' events from the shared topics.
    issued_memos = await db.value("SELECT count(*) FROM adjustment_svc.outbox WHERE event_type = 'CreditMemoIssued' "
                                  "AND envelope->'data'->>'invoice_id' = ANY($1::text[])", ids)
    duplicated = 0
    wrong = []
    for key, invoice in invoices.items():
        row = rows[invoice["invoice_id"]]
        credit = memos.get(invoice["invoice_id"], Decimal(0))
        want = (expected[key]["total"], credit, paid[invoice["invoice_id"]],
                expected[key]["total"] - credit - paid[invoice["invoice_id"]], Decimal(0))
        got = (Decimal(row["total"]), Decimal(row["credited"]), Decimal(row["paid"]), Decimal(row["balance_due"]),
               Decimal(row["disputed_amount"]))
        if got != want:
            wrong.append((invoice["invoice_id"], got, want))
            duplicated += got[1] > want[1] or got[2] > want[2]
    by_kind = {r["kind"]: r for r in entries}
    payment_entries = next((r["n"] for k, r in by_kind.items() if k.startswith("pay")), 0)
    memo_entries = next((r["n"] for k, r in by_kind.items() if "credit" in k), 0)
    duplicated += max(0, payment_entries - payments) + max(0, memo_entries - issued_memos)
    revisions = await db.value(f"SELECT count(*) FROM invoice_svc.delivery_revisions WHERE {MINE}")
    duplicated += max(0, revisions - len({(d["delivery_id"], d["revision"]) for _, _, d in world.stream}))
    assert not wrong, f"{len(wrong)} balances differ from total - credited - paid computed here: {wrong[:3]}"
    assert payment_entries == payments, f"invoice-svc applied {payment_entries} payments, collections made {payments}"
    assert memo_entries == issued_memos == len(memos), (memo_entries, issued_memos, len(memos))

    # Per-account order: collections' copy was last written by the newest InvoiceBalanceChanged of each invoice,
    # and on the topic every invoice's events appear in the order invoice-svc committed them.
    order = await db.fetch(
        "SELECT DISTINCT ON (o.envelope->'data'->>'invoice_id') o.envelope->'data'->>'invoice_id' AS invoice_id, "
        "o.event_id FROM invoice_svc.outbox o WHERE o.event_type IN ('InvoiceIssued', 'InvoiceBalanceChanged') "
        "AND o.envelope->'data'->>'invoice_id' = ANY($1::text[]) ORDER BY o.envelope->'data'->>'invoice_id', o.id DESC",
        ids)
    last_written = {r["invoice_id"]: r["updated_by_event"] for r in await db.fetch(
        "SELECT invoice_id, updated_by_event FROM collections.invoices WHERE invoice_id = ANY($1::text[])", ids)}
    stale = [(r["invoice_id"], last_written.get(r["invoice_id"]), r["event_id"]) for r in order
             if last_written.get(r["invoice_id"]) != r["event_id"]]
    assert not stale, f"collections' copy was last changed by an older event for {len(stale)} invoices: {stale[:3]}"
    out_of_order = await topic_order_violations(db, bootstrap, set(ids))
    assert not out_of_order, f"events of an invoice reached the topic out of commit order: {out_of_order[:3]}"
    assert not await ar_differences(db, ids)
    assert not await journal_differences(db, ids)
    journal = await journal_postings(db, ids)
    assert journal == {"invoice": len(ids), "credit_memo": len(memos), "payment": payments}, journal
    assert lost == 0 and duplicated == 0
    return {"events published (CampaignDelivered)": len(world.stream),
            "distinct delivery events": len(world.event_ids),
            "outbox events relayed": await db.value(
                "SELECT (SELECT count(*) FROM product_config_svc.outbox) + (SELECT count(*) FROM invoice_svc.outbox) "
                "+ (SELECT count(*) FROM dispute_svc.outbox) + (SELECT count(*) FROM adjustment_svc.outbox)"),
            "payments": payments, "credit memos": issued_memos, "invoices": len(invoices),
            "lost": lost, "duplicated": duplicated}




async def journal_differences(db: Db, ids: list[str]) -> list:
    """accounting-svc's subledger against invoice-svc, per invoice (what it posted of total, credits and payments
    equals invoice-svc's balance), and its journal against its subledger: the receivable and customer credits
    accounts hold Σ max(0, N) and Σ max(0, -N) over every invoice it posted (close.md C4), to the cent."""
    rows = await db.fetch(
        "SELECT i.invoice_id, i.total, i.credited, i.paid, a.total AS a_total, a.credited AS a_credited, "
        "a.paid AS a_paid FROM invoice_svc.invoices i LEFT JOIN accounting_svc.invoices a USING (invoice_id) "
        "WHERE i.invoice_id = ANY($1::text[])", ids)
    out: list = [dict(r) for r in rows if r["a_total"] is None or (
        Decimal(r["total"]), Decimal(r["credited"]), Decimal(r["paid"])) != (r["a_total"], r["a_credited"],
                                                                            r["a_paid"])]
    ledger = (await db.fetch(
        "SELECT coalesce(sum(debit - credit) FILTER (WHERE account = '1200'), 0) AS ar, "
        "coalesce(sum(credit - debit) FILTER (WHERE account = '2150'), 0) AS cc FROM accounting_svc.journal_lines"))[0]
    sub = (await db.fetch(
        "SELECT coalesce(sum(greatest(n, 0)), 0) AS ar, coalesce(sum(greatest(-n, 0)), 0) AS cc FROM (SELECT "
        "CASE WHEN voided THEN 0 ELSE total - credited + debited - paid END AS n FROM accounting_svc.invoices) s"))[0]
    if (ledger["ar"], ledger["cc"]) != (sub["ar"], sub["cc"]):
        out.append({"journal": dict(ledger), "subledger": dict(sub)})
    return out


async def journal_postings(db: Db, ids: list[str]) -> dict[str, int]:
    """Entries accounting-svc posted for this world's invoices, by kind (the journal's unique source keeps each
    document at one entry; a payment is one entry per InvoiceBalanceChanged that raised `paid`, named by that
    event's id). Matched by id, never by number: each system numbers its invoices from 1, and accounting-svc also
    posts what earlier tests' systems published on the shared topics."""
    rows = await db.fetch(
        "SELECT e.source_type, count(*) AS n FROM accounting_svc.journal_entries e WHERE "
        "(e.source_type = 'invoice' AND e.source_id = ANY($1::text[])) OR (e.source_type = 'credit_memo' AND "
        "e.source_id IN (SELECT envelope->'data'->>'memo_id' FROM adjustment_svc.outbox WHERE event_type = "
        "'CreditMemoIssued' AND envelope->'data'->>'invoice_id' = ANY($1::text[]))) OR (e.source_type = 'payment' "
        "AND e.source_id IN (SELECT event_id FROM invoice_svc.outbox WHERE event_type = 'InvoiceBalanceChanged' "
        "AND envelope->'data'->>'invoice_id' = ANY($1::text[]))) GROUP BY e.source_type", ids)
    return {r["source_type"]: r["n"] for r in rows}


async def ar_differences(db: Db, ids: list[str]) -> list:
    rows = await db.fetch(
        "SELECT i.invoice_id, i.total, i.paid, i.balance_due, i.disputed_amount, i.balance_status, "
        "c.total AS c_total, c.paid AS c_paid, c.balance_due AS c_due, c.disputed_amount AS c_disputed, "
        "c.status AS c_status FROM invoice_svc.invoices i LEFT JOIN collections.invoices c USING (invoice_id) "
        "WHERE i.invoice_id = ANY($1::text[])", ids)
    return [dict(r) for r in rows if r["c_total"] is None or (
        Decimal(r["total"]), Decimal(r["paid"]), Decimal(r["balance_due"]), Decimal(r["disputed_amount"]),
        r["balance_status"]) != (r["c_total"], r["c_paid"], r["c_due"], r["c_disputed"], r["c_status"])]


async def topic_order_violations(db: Db, bootstrap: str, ids: set[str]) -> list:
    rank = {r["event_id"]: r["id"] for r in await db.fetch(
        "SELECT event_id, id FROM invoice_svc.outbox WHERE topic = 'billing.invoices.v1'")}
    seen: set[str] = set()
    last: dict[str, int] = {}
    violations = []
    for value, _record in await read_all(bootstrap, "billing.invoices.v1"):
        if not value or value.get("id") not in rank or value["id"] in seen:
            continue  # another system's event, or a resend of one already seen (harmless: deduplicated)
        seen.add(value["id"])
        invoice_id = value["data"]["invoice_id"]
        if invoice_id in ids:
            if rank[value["id"]] < last.get(invoice_id, 0):
                violations.append((invoice_id, value["type"], value["id"]))
            last[invoice_id] = max(last.get(invoice_id, 0), rank[value["id"]])
    return violations


def print_figures(chaos: Chaos, figures: dict, wall_s: float) -> None:
    injected = f"{sum(chaos.counts.values())}: {dict(sorted(chaos.counts.items()))}"
    lines = ["", "=" * 72, "Fault suite: billing-to-cash under faults",
             f"  faults injected                        = {injected}"]
    lines += [f"  {name:38} = {value}" for name, value in figures.items()]
    lines += [f"  wall time                              = {wall_s:.0f} s", "  fault journal:",
              *("    " + j for j in chaos.journal), "=" * 72]
    print("\n".join(lines), flush=True)
