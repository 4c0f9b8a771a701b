"""Builders and drivers for bill-run, invoice and balance tests: configuration and deliveries go through the real
consumer (published to the real topics), bill runs through the real API and the real executor."""

from __future__ import annotations

import asyncio
import atexit
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text

from invoice_svc.app.pricing_pool import PricingPool
from invoice_svc.bootstrap import build_app
from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor
from invoice_svc.testing.events import Feed, config_event, delivered
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC
from mediabill_common.testing.plugin import bearer

MANAGER = bearer(["billing-manager"], "manager@example.com")
ANALYST = bearer(["billing-analyst"], "analyst@example.com")
READER = bearer(["auditor"], "auditor@example.com")


def own_year(unique: str) -> int:
    """A past year no other test bills: billing status, the unbilled snapshot and the period lock answer for every
    group of a period, and every test shares the database (a month that has not begun cannot be billed)."""
    return 1000 + int(hashlib.sha256(unique.encode()).hexdigest(), 16) % 1000


async def free_year(ctx, unique: str) -> int:
    """A past year in which no invoice exists yet (from `own_year` on): a run checks every invoice of its periods,
    and other tests (or earlier sessions on the same database) issue invoices in years of their own too."""
    year = own_year(unique)
    async with ctx.sessions() as s:
        used = set((await s.execute(text("SELECT DISTINCT left(period, 4) FROM invoice_svc.invoices"))).scalars())
    while str(year) in used:
        year = 1000 + (year - 999) % 1000
    return year


def product(code: str, *, model: str = "cpm", price: str | None = "5.00", tax_code: str | None = None) -> dict:
    cards = [] if price is None else [{"effective_from": "2024-01-01", "currency": "USD", "price": price}]
    return {"code": code, "name": f"Product {code}", "channel": "onsite", "pricing_model": model,
            "status": "live", "rate_cards": cards, "gl_revenue_account": "4000", "tax_code": tax_code,
            "invoice_description": f"Sponsored display {code}"}


def account(account_id: str, *, type: str = "advertiser", terms: int = 30, tax_rates: dict | None = None) -> dict:
    return {"account_id": account_id, "type": type, "legal_name": f"{account_id} Legal Name Inc.",
            "currency": "USD", "payment_terms_days": terms, "tax_rates": tax_rates or {},
            "invoice_contact": f"ap@{account_id.lower()}.example",
            "postal_address": f"1 {account_id} Plaza, Springfield IL 62701, USA",
            "tax_registration_id": f"TAX-{account_id}"}


def contract(contract_id: str, *, advertiser: str, bill_to: str, lines: list[dict], start: str = "2025-01-01",
             end: str = "2025-12-31", **terms: Any) -> dict:
    state = {"contract_id": contract_id, "status": "active", "advertiser_account_id": advertiser,
             "bill_to_account_id": bill_to, "currency": "USD", "flight_start": start, "flight_end": end,
             "lines": lines, "name": f"IO {contract_id}", "advertiser_name": f"Advertiser {advertiser}"}
    state.update(terms)
    state["versions"] = [{"amendment_no": 0, "effective_from": start, "terms": {}}]
    return state


def delivery(delivery_id: str, *, account_id: str, contract_id: str | None, line_item_id: str, product_code: str,
             day: str, impressions: int = 0, clicks: int = 0, revision: int = 0, **extra: Any) -> dict:
    data = {"delivery_id": delivery_id, "revision": revision, "source_system": "pio", "account_id": account_id,
            "contract_id": contract_id, "campaign_id": f"CMP-{line_item_id}", "line_item_id": line_item_id,
            "campaign_name": f"Campaign {line_item_id}", "product_code": product_code, "delivery_date": day,
            "impressions": impressions, "viewable_impressions": impressions // 2, "clicks": clicks,
            "conversions": 0, "third_party_impressions": None, "media_cost": None, "currency": None}
    data.update(extra)
    return data


async def configure(feed: Feed, *, products: Sequence[dict] = (), accounts: Sequence[dict] = (),
                    contracts: Sequence[dict] = (), version: int = 1) -> None:
    events = [config_event("ProductActivated", p, version) for p in products]
    events += [config_event("BillingAccountUpserted", a, version) for a in accounts]
    events += [config_event("ContractActivated", c, version) for c in contracts]
    await feed.publish_and_apply(CONFIG_TOPIC, events)


async def deliver(feed, deliveries: list[dict]) -> None:
    await feed.publish_and_apply(DELIVERY_TOPIC, [delivered(d) for d in deliveries])


@dataclass
class Billing:
    """The real app (API) and a real executor over one service context."""

    ctx: Any
    client: httpx.AsyncClient
    executor: BillRunExecutor

    async def request(self, period: str, mode: str, bill_to: list[str], headers: dict | None = None) -> dict:
        response = await self.client.post("/v1/bill-runs", json={"period": period, "mode": mode,
                                                                 "bill_to_account_ids": bill_to},
                                          headers=headers or (MANAGER if mode == "issue" else ANALYST))
        assert response.status_code == 202, response.text
        return response.json()

    async def finish(self, run_id: str, executor: BillRunExecutor | None = None) -> dict:
        """Let the executor work until the run is completed or failed; returns GET /v1/bill-runs/{id}."""
        executor = executor or self.executor
        for _ in range(200):
            run = (await self.client.get(f"/v1/bill-runs/{run_id}", headers=READER)).json()
            if run["status"] in ("completed", "failed"):
                return run
            if not await executor.run_once():
                await asyncio.sleep(0.05)
        raise AssertionError(f"bill run {run_id} did not finish: {run}")

    async def bill(self, period: str, mode: str, bill_to: list[str]) -> dict:
        run = await self.finish((await self.request(period, mode, bill_to))["run_id"])
        assert run["status"] == "completed", run
        return run

    async def invoices(self, **filters: str) -> list[dict]:
        response = await self.client.get("/v1/invoices", params=filters | {"limit": 500}, headers=READER)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def invoice(self, invoice_id: str) -> dict:
        response = await self.client.get(f"/v1/invoices/{invoice_id}", headers=READER)
        assert response.status_code == 200, response.text
        return response.json()

    async def issued_invoice(self, bill_to: str, period: str) -> dict:
        found = await self.invoices(bill_to_account_id=bill_to, period=period, status="issued")
        assert len(found) == 1, found
        return await self.invoice(found[0]["invoice_id"])


# One pricing process for the tests' executors: every bill run of the tests that drive `Billing` crosses the process
# boundary a worker with BILL_RUN_PRICING_PROCESSES set crosses, pickling included (the worker's default, 0, prices
# in a thread; the executors the tests build directly do too). Started at the first run, for the whole test session.
PRICING = PricingPool(1)
atexit.register(PRICING.close)


def make_billing(ctx) -> Billing:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t")
    return Billing(ctx, client, BillRunExecutor(ctx, executor_id="test-executor", pricing=PRICING))


async def exceptions_of(ctx, account_id: str, kind: str | None = None) -> list[dict]:
    async with ctx.sessions() as s:
        rows = (await s.execute(text(
            "SELECT * FROM invoice_svc.billing_exceptions"
            " WHERE account_id = :a AND (CAST(:k AS text) IS NULL OR kind = CAST(:k AS text)) ORDER BY raised_at"),
            {"a": account_id, "k": kind})).mappings().all()
    return [dict(r) for r in rows]


async def numbering_is_gapless(ctx) -> tuple[bool, str]:
    """Every year's numbers are exactly 1..counter: no gap, no duplicate (issued and void invoices)."""
    async with ctx.sessions() as s:
        counters = (await s.execute(text(
            "SELECT year, last_number FROM invoice_svc.invoice_counters WHERE series = 'INV'"))).all()
        for year, last in counters:
            numbers = (await s.execute(text(
                "SELECT invoice_number FROM invoice_svc.invoices WHERE invoice_number LIKE :p"),
                {"p": f"INV-{year}-%"})).scalars().all()
            sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
            if sequences != list(range(1, last + 1)):
                return False, f"{year}: counter {last}, {len(sequences)} numbers"
    return True, "ok"


def line(invoice: dict, kind: str, **match: Any) -> dict:
    found = [ln for ln in invoice["lines"] if ln["kind"] == kind
             and all(ln.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (kind, match, invoice["lines"])
    return found[0]
