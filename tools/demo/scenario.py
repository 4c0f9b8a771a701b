"""The demo's steps, each printing its progress."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from mediabill_common.events.catalog import DELIVERY_TOPIC
from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
from tools.demo.client import Api, ApiError
from tools.demo.month_end import accounting_lines, close_month
from tools.demo.oversight import assurance_run, oversight_lines, resolve_with_root_causes, shadow_preview
from tools.demo.timeline import DEMO_CLOCK_HORIZON, DisputeTimes, dispute_times
from tools.demo.world import CURRENT_SOURCE, DELIVERY_SOURCES, NEW_SOURCE, World

# Why each dispute outcome happened (oversight.md O4), so the trends show causes.
DISPUTE_ROOT_CAUSES = {"upheld": "delivery_data", "partially_upheld": "third_party_discrepancy",
                       "rejected": "no_error"}



def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def progress(done: int, total: int, what: str) -> None:
    if done == total or done % max(1, total // 10) == 0:
        print(f"   {what}: {done}/{total}", flush=True)


def in_number_order(invoices: list[dict]) -> list[dict]:
    """The issued invoices by invoice number. The API lists them by creation time, which one bill run gives all of
    them alike, then by invoice id (random): the demo picks from this order, so each fresh stack disputes, credits
    and pays the same invoices (with `first_by_what_it_is_about` and `payment_of`, it prints the same summary)."""
    return sorted(invoices, key=lambda invoice: invoice["invoice_number"])


def payment_of(invoice: dict, owed: Decimal) -> Decimal:
    """What collections pays of an invoice's balance: one invoice in five (by invoice number, so the same ones on
    every fresh stack) is paid in half, so the demo shows partly paid balances; the others in full."""
    if int(invoice["invoice_number"].rsplit("-", 1)[-1]) % 5:
        return owed
    return (owed / 2).quantize(Decimal("0.01"))


def to_dispute(invoices: list[dict]) -> list[dict]:
    """The six invoices the advertisers dispute: the first by number with something to dispute."""
    return [i for i in in_number_order(invoices) if Decimal(i["total"]) > 0][:6]


class Scenario:
    def __init__(self, api: Api, world: World, bootstrap: str) -> None:
        self.api = api
        self.world = world
        self.bootstrap = bootstrap
        self.facts: dict = {}

    async def run(self) -> str:
        issued = await self.api.get("invoice-svc", "/v1/invoices", period=self.world.period, status="issued", limit=1)
        if issued["items"]:
            step(f"Demo data for {self.world.period} is already here; showing where things stand")
            return await self.summary()
        await self.register_delivery_sources()
        await self.configure_products()
        await self.plan_migration()
        await self.open_accounts()
        await self.book_contracts(self.world.contracts)
        await self.publish_deliveries(self.world.stream)
        await self.book_contracts([self.world.late_contract], late=True)
        await self.publish_deliveries(self.world.late_stream, late=True)
        await self.publish_parallel_run()
        await self.wait_for_ledger()
        await self.issue_month()
        self.facts["shadow_run"] = await shadow_preview(self.api, self.world)
        await self.dispute_some_invoices()
        await self.approve_credits()
        await self.resolve_with_root_causes()
        await self.collect_payments()
        await assurance_run(self.api, self.world)
        self.facts["close"] = await close_month(self.api, self.world.period)
        return await self.summary()

    async def _bounded(self, items, action, what: str, concurrency: int = 8) -> None:
        sem, done = asyncio.Semaphore(concurrency), 0

        async def one(item):
            nonlocal done
            async with sem:
                await action(item)
            done += 1
            progress(done, len(items), what)

        await asyncio.gather(*(one(i) for i in items))

    async def register_delivery_sources(self) -> None:
        """Register the platforms the demo's deliveries come from: once any source is registered, invoice-svc
        dead-letters deliveries of a source_system nobody registered (oversight.md O1)."""
        step(f"Registering the delivery sources: {', '.join(s for s, _ in DELIVERY_SOURCES)}")
        for system, body in DELIVERY_SOURCES:
            await self.api.put("product-config-svc", f"/v1/delivery-sources/{system}", body, as_="config-admin")

    async def configure_products(self) -> None:
        step(f"Configuring {len(self.world.products)} ad products with rate cards, validated before go-live")

        async def setup(product: dict) -> None:
            code = product["code"]
            await self.api.post("product-config-svc", "/v1/products", product, as_="config-admin", ok_conflict=True)
            card = self.world.rate_cards.get(code)
            if card:
                await self.api.post("product-config-svc", f"/v1/products/{code}/rate-cards", card,
                                    as_="config-admin", ok_conflict=True)
            state = await self.api.get("product-config-svc", f"/v1/products/{code}")
            if state["status"] == "draft":
                await self.api.post("product-config-svc", f"/v1/products/{code}/activate",
                                    {"reason": "readiness passed"}, as_="config-admin")

        await self._bounded(self.world.products, setup, "products live", concurrency=4)

    async def open_accounts(self) -> None:
        step(f"Opening {len(self.world.accounts)} billing accounts (suppliers, sellers, advertisers, agencies)")
        plain = [a for a in self.world.accounts if a["type"] != "agency"]
        agencies = [a for a in self.world.accounts if a["type"] == "agency"]

        async def open_one(account: dict) -> None:
            await self.api.post("product-config-svc", "/v1/accounts", account, as_="config-admin", ok_conflict=True)

        await self._bounded(plain, open_one, "accounts")
        await self._bounded(agencies, open_one, "agencies")

    async def book_contracts(self, contracts: list[dict], late: bool = False) -> None:
        step("Booking the contract that arrives after its deliveries" if late else
              f"Booking {len(contracts)} contracts with negotiated rates, budgets, discounts and commissions")

        async def book(contract: dict) -> None:
            cid = contract["contract_id"]
            await self.api.post("product-config-svc", "/v1/contracts", contract, as_="config-admin",
                                ok_conflict=True)
            state = await self.api.get("product-config-svc", f"/v1/contracts/{cid}")
            if state["status"] == "draft":
                await self.api.post("product-config-svc", f"/v1/contracts/{cid}/activate", {"reason": "IO signed"},
                                    as_="config-admin")

        await self._bounded(contracts, book, "contracts active")

    async def plan_migration(self) -> None:
        migration = self.world.migration
        if migration is None:
            return
        step(f"Order management moves {migration.product_code} from PIO to OMS on {migration.cutover} "
             f"(OMS reports in parallel from {migration.parallel_from})")
        await self.api.patch("product-config-svc", f"/v1/products/{migration.product_code}",
                             {"billing_sources": migration.billing_sources,
                              "reason": "OMS migration: OMS bills from the cutover"}, as_="config-admin")

    async def publish_parallel_run(self) -> None:
        migration = self.world.migration
        if migration is None:
            return
        step(f"OMS publishes {len(migration.stream)} {migration.product_code} deliveries (the parallel run and the "
             "days it bills)")
        batch = [(key, new_envelope(type="CampaignDelivered", source=_event_source(NEW_SOURCE),
                                    subject=data["delivery_id"], data=data, id=event_id))
                 for event_id, key, data in migration.stream]
        await publish(self.bootstrap, DELIVERY_TOPIC, batch)

    async def publish_deliveries(self, stream, late: bool = False) -> None:
        label = "late records and restatements" if late else "a month of daily CampaignDelivered"
        step(f"Ad platforms publish {len(stream)} events to {DELIVERY_TOPIC} ({label})")
        chunk = 2000
        for start in range(0, len(stream), chunk):
            batch = []
            for event_id, key, data in stream[start:start + chunk]:
                envelope = new_envelope(type="CampaignDelivered", source=_event_source(CURRENT_SOURCE),
                                        subject=data["delivery_id"], data=data, id=event_id)
                batch.append((key, envelope))
            await publish(self.bootstrap, DELIVERY_TOPIC, batch)
            progress(min(start + chunk, len(stream)), len(stream), "published")

    async def wait_for_ledger(self) -> None:
        step("Waiting for invoice-svc to ingest every record (exactly once, last revision wins)")
        restated = [d for d in self.world.deliveries if d["revision"] > 0]
        late_contract = self.world.late_contract["contract_id"]

        async def ingested() -> bool:
            for record in restated[-3:]:
                page = await self.api.get("invoice-svc", "/v1/deliveries", line_item_id=record["line_item_id"],
                                          **{"from": record["delivery_date"], "to": record["delivery_date"]})
                if not page["items"] or page["items"][0]["revision"] < record["revision"]:
                    return False
            page = await self.api.get("invoice-svc", "/v1/deliveries", contract_id=late_contract, limit=1)
            if not (page["items"] and all(i.get("billable", True) for i in page["items"])):
                return False
            if self.world.migration is None or not self.world.migration.stream:
                return True
            last = self.world.migration.stream[-1][2]
            oms = await self.api.get("invoice-svc", "/v1/deliveries", source_system=last["source_system"],
                                     line_item_id=last["line_item_id"],
                                     **{"from": last["delivery_date"], "to": last["delivery_date"]})
            return bool(oms["items"])

        await self.api.wait_until(ingested, timeout_s=600, every_s=2, what="the delivery ledger")
        print("   ledger complete; the late contract's deliveries healed themselves", flush=True)

    async def issue_month(self) -> None:
        step(f"Billing manager issues the {self.world.period} bill run")
        run = await self.api.post("invoice-svc", "/v1/bill-runs", {"period": self.world.period, "mode": "issue"},
                                  as_="billing-manager")
        last = [None]

        def show_progress(state: dict) -> None:
            progress_text = str(state.get("progress"))
            if progress_text != last[0]:
                print(f"   bill run {state['status']}: {progress_text}", flush=True)
                last[0] = progress_text

        self.facts["bill_run"] = await self.api.finished_run(f"/v1/bill-runs/{run['run_id']}", what="the bill run",
                                                             timeout_s=900, on_state=show_progress)
        invoices = in_number_order(await self.api.get_all("invoice-svc", "/v1/invoices", period=self.world.period,
                                                          status="issued"))
        self.facts["invoices"] = invoices
        print(f"   {len(invoices)} invoices issued", flush=True)

    async def dispute_some_invoices(self) -> None:
        invoices = to_dispute(self.facts["invoices"])
        step(f"Advertisers dispute {len(invoices)} invoices over the following weeks; analysts investigate and "
             "resolve them (on the demo clock)")
        outcomes = ["upheld", "partially_upheld", "rejected", "upheld", "partially_upheld", "upheld"]
        # dispute-svc takes each change's time from the demo clock (DEMO_CLOCK on the dev stack): hours to weeks
        # after the month was issued, some late against the SLA, so the turnaround KPIs show time passing.
        times = dispute_times(datetime.now(UTC), len(invoices))
        self.facts["disputes"] = []
        for invoice, outcome, at in zip(invoices, outcomes, times, strict=False):
            await self.dispute_one(invoice, outcome, at, small=not self.facts["disputes"])
        self.facts["demo_clock_end"] = max((t.resolved_at for t in times), default=datetime.now(UTC))

    async def dispute_one(self, invoice: dict, outcome: str, at: DisputeTimes, *, small: bool) -> None:
        detail = await self.api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}")
        line = next(line for line in detail["lines"] if line["kind"] in ("usage", "flat_fee")
                    and Decimal(line["amount"]) > 0)
        amount = (Decimal(line["amount"]) * Decimal("0.2")).quantize(Decimal("0.01"))
        if small:
            amount = min(amount, Decimal("150.00"))  # small enough for the credit to be approved by policy
        body = {"invoice_id": invoice["invoice_id"], "reason_code": "delivery_discrepancy",
                "description": "Our ad server counted fewer impressions",
                "lines": [{"invoice_line_id": line["invoice_line_id"], "amount": str(amount)}]}

        async def opened():
            try:
                return await self.api.post("dispute-svc", "/v1/disputes", body, as_="billing-analyst",
                                           at=at.opened_at)
            except ApiError as exc:
                if exc.status in (404, 422, 409) and "not" in str(exc.body).lower():
                    return None  # dispute-svc has not received the invoice yet
                raise

        dispute = await self.api.wait_until(opened, timeout_s=120, every_s=1, what="dispute-svc's invoice copy")
        did = dispute.get("dispute_id") or dispute["id"]
        await self.api.post("dispute-svc", f"/v1/disputes/{did}/assign",
                            {"assignee": "omar.analyst@retailer.example"}, as_="billing-analyst", at=at.assigned_at)
        await self.api.get("dispute-svc", f"/v1/disputes/{did}/evidence")
        credit = {"upheld": amount, "partially_upheld": (amount / 2).quantize(Decimal("0.01")),
                  "rejected": Decimal("0")}[outcome]
        resolver = "billing-manager" if credit > Decimal("250") else "billing-analyst"
        await self.api.post("dispute-svc", f"/v1/disputes/{did}/resolve",
                            {"outcome": outcome, "credit_amount": str(credit),
                             "resolution_note": f"{outcome.replace('_', ' ')} after reviewing delivery logs",
                             "root_cause": DISPUTE_ROOT_CAUSES[outcome]},
                            as_=resolver, at=at.resolved_at)
        self.facts["disputes"].append((did, outcome, credit, resolver, invoice["invoice_id"]))
        hours = (at.resolved_at - at.opened_at).total_seconds() / 3600
        print(f"   dispute on {invoice['invoice_number']}: {outcome}, credit {credit}, resolved after "
              f"{hours:.0f} h", flush=True)

    async def approve_credits(self) -> None:
        step("Credit requests from upheld disputes go through maker-checker approval")
        expected = sum(1 for _, outcome, credit, *_ in self.facts["disputes"] if credit > 0)

        async def requests():
            items = await self.api.get_all("adjustment-svc", "/v1/adjustments")
            linked = [a for a in items if a.get("dispute_id")]
            return linked if len(linked) >= expected else None

        adjustments = await self.api.wait_until(requests, timeout_s=120, what="credit requests from disputes")
        approvers = ["billing-manager-2", "billing-director"]
        for adjustment in adjustments:
            aid = adjustment.get("adjustment_id") or adjustment["id"]
            for approver in approvers:
                state = await self.api.get("adjustment-svc", f"/v1/adjustments/{aid}")
                if state["status"] != "pending_approval":
                    break
                await self.api.post("adjustment-svc", f"/v1/adjustments/{aid}/approve",
                                    {"comment": "evidence reviewed"}, as_=approver)
        memos = await self.api.get_all("adjustment-svc", "/v1/adjustments")
        self.facts["adjustments"] = memos
        print(f"   {Counter(a['status'] for a in memos)}", flush=True)

    async def resolve_with_root_causes(self) -> None:
        step("Analysts resolve exceptions and a make-good credit with their root causes")
        disputed = {d[4] for d in self.facts["disputes"]}
        self.facts["make_good"] = await resolve_with_root_causes(
            self.api, [i for i in self.facts["invoices"] if i["invoice_id"] not in disputed])

    async def collect_payments(self) -> None:
        invoices = self.facts["invoices"]
        disputed = {d[4] for d in self.facts["disputes"]} | {self.facts.get("make_good")}
        payable = [i for i in invoices if i["invoice_id"] not in disputed][: len(invoices) * 6 // 10]
        step(f"Collections applies payments to {len(payable)} invoices (what InvoiceBalanceChanged says is owed)")

        async def known(invoice) -> bool:
            try:
                await self.api.get("collections", f"/v1/invoices/{invoice['invoice_id']}")
                return True
            except ApiError:
                return False

        await self.api.wait_until(lambda: known(invoices[-1]), timeout_s=120, what="collections' invoice copy")

        async def pay(invoice: dict) -> None:
            owed = Decimal((await self.api.get("collections", f"/v1/invoices/{invoice['invoice_id']}"))["balance_due"])
            amount = payment_of(invoice, owed)
            if amount > 0:
                await self.api.post("collections", "/v1/payments",
                                    {"invoice_id": invoice["invoice_id"], "amount": str(amount)}, as_="service")

        await self._bounded(payable, pay, "payments applied")
        await asyncio.sleep(5)

    async def summary(self) -> str:
        # the demo clock runs weeks past today: the dispute KPIs' window reaches the last change it made
        end = max(date.today(), self.facts.get("demo_clock_end", datetime.now(UTC) + DEMO_CLOCK_HORIZON).date())
        window = {"from": f"{self.world.period}-01", "to": end.isoformat()}
        kpis_invoice = await self.api.get("invoice-svc", "/v1/kpis", **{"from": self.world.period,
                                                                         "to": self.world.period})
        kpis_dispute = await self.api.get("dispute-svc", "/v1/kpis", **window)
        kpis_adjust = await self.api.get("adjustment-svc", "/v1/kpis", **window)
        exceptions = await self.api.get_all("invoice-svc", "/v1/exceptions", status="open")
        ar = await self.api.get("collections", "/v1/ar")
        invoices = await self.api.get_all("invoice-svc", "/v1/invoices", period=self.world.period, status="issued")
        disputes = await self.api.get_all("dispute-svc", "/v1/disputes")
        adjustments = await self.api.get_all("adjustment-svc", "/v1/adjustments")
        by_kind = Counter(e["kind"] for e in exceptions)
        usd = next((c for c in kpis_invoice["by_currency"] if c["currency"] == "USD"), {})
        lines = [
            "", "=" * 78, f"Mediabill demo: billing period {self.world.period}",
            f"  invoices issued       {len(invoices)}, billed {usd.get('billed_value')} USD, "
            f"credited {usd.get('credited_value')}, billing accuracy {usd.get('billing_accuracy')}",
            f"  open exceptions       {len(exceptions)}: {dict(by_kind)}",
            f"  revenue at risk       {_at_risk(kpis_invoice)} (billable deliveries held back by open exceptions)",
            f"  over-delivery         {_over_delivery(kpis_invoice)} beyond booked budgets (informational, never "
            "billed)",
            f"  disputes              {dict(Counter(d['outcome'] or d['status'] for d in disputes))}; dispute rate "
            f"{kpis_dispute['dispute_rate']['rate']}, resolved within SLA "
            f"{kpis_dispute['resolved_within_sla']['share']}, turnaround median "
            f"{kpis_dispute['turnaround']['median']} h, p90 {kpis_dispute['turnaround']['p90']} h",
            f"  adjustments           {dict(Counter(a['status'] for a in adjustments))}; "
            f"auto-approved share {kpis_adjust['auto_approved_share']}",
            f"  receivables           balance due {_sum(ar['accounts'], 'balance_due')} USD "
            f"(disputed {_sum(ar['accounts'], 'disputed')}, dunnable {_sum(ar['accounts'], 'dunnable')}) "
            f"across {len(ar['accounts'])} bill-to accounts",
            *await oversight_lines(self.api, self.world, self.facts.get("bill_run"), self.facts.get("shadow_run")),
            *await accounting_lines(self.api, self.world.period, self.facts.get("close")),
            "", "Where to look:",
        ]
        for service in ("product-config-svc", "invoice-svc", "dispute-svc", "adjustment-svc", "accounting-svc"):
            lines.append(f"  {service:20} {self.api.url(service)}/docs  ({self.api.url(service)}/openapi.json)")
        lines.append("  tokens: ./mediabill token --roles billing-manager")
        return "\n".join(lines)


def _sum(items: list[dict], key: str) -> str:
    return str(sum((Decimal(i[key]) for i in items if i.get(key) is not None), Decimal("0")))


def _at_risk(kpis: dict) -> str:
    parts = []
    for entry in kpis.get("revenue_at_risk", []):
        quantities = ", ".join(f"{q['quantity']:,} {q['unit']}" for q in entry["unpriced_quantity"])
        if entry["currency"] is None:  # nothing tells the currency (no contract, no account): unpriced only
            parts.append(f"{entry['unpriced']} unpriced in no known currency ({quantities})")
            continue
        text = f"{entry['value']} {entry['currency']}"
        if entry["unpriced"]:
            text += f" + {entry['unpriced']} unpriced ({quantities})"
        parts.append(text)
    return "; ".join(parts) or "none"


def _over_delivery(kpis: dict) -> str:
    return "; ".join(f"{e['value']} {e['currency'] or ''}".strip() for e in kpis.get("over_delivery_value", [])) \
        or "none"


def _event_source(source_system: str) -> str:
    """The CloudEvents source a delivery source's records are published from (its first registered one)."""
    return dict(DELIVERY_SOURCES)[source_system]["event_sources"][0]
