"""Fixtures of dispute-svc's tests: migrations once, a service context on the real database and broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from dispute_svc.bootstrap import build, build_app
from dispute_svc.entrypoints.consumer import HANDLERS, unit_in
from dispute_svc.settings import Settings
from mediabill_common.consumer import Event
from mediabill_common.testing.kafka import envelope_for
from mediabill_common.testing.plugin import bearer, run_migrations

UNREACHABLE_INVOICE_SVC = "http://127.0.0.1:9"  # the discard port: nothing listens there


class DisputeTestClock:
    """A clock tests can hold still and move; `None` means the real time."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at or datetime.now(UTC)


def invoice_data(uid: str, *, issue_date: date = date(2026, 11, 2), period: str = "2026-10",
                 bill_to: str | None = None, contract_id: str | None = None, product: str | None = None,
                 lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """InvoiceIssued data: two CPM usage lines (L1 500,000 imps, L2 100,000 imps billed at 700.00 instead of
    600.00), a flat fee, a discount and an over-delivery line, unless `lines` is given."""
    product = product or f"display-{uid}"
    year, month = map(int, period.split("-"))
    end = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1

    def line(key, kind, amount, *, li=None, qty=0, unit=None, price="0.00", base=1, code=product):
        return {"invoice_line_id": f"{uid}-{key}", "kind": kind, "product_code": code, "line_item_id": li,
                "campaign_id": f"C-{uid}", "description": f"{kind} {li or ''}", "quantity": qty, "unit": unit,
                "unit_price": price, "price_base_quantity": base, "amount": amount}

    lines = lines or [
        line("u1", "usage", "3000.00", li=f"L1-{uid}", qty=500_000, unit="impressions", price="6.00", base=1000),
        line("u2", "usage", "700.00", li=f"L2-{uid}", qty=100_000, unit="impressions", price="7.00", base=1000),
        line("f1", "flat_fee", "500.00", li=f"L3-{uid}", qty=31, unit="days", code=f"sponsor-{uid}"),
        line("o1", "over_delivery", "0.00", li=f"L1-{uid}", qty=1000, unit="impressions", base=1000),
        line("d1", "discount", "-100.00", code=None),
    ]
    subtotal = sum(Decimal(ln["amount"]) for ln in lines if ln["kind"] not in ("discount", "agency_commission",
                                                                                 "tax"))
    discount = sum(Decimal(ln["amount"]) for ln in lines if ln["kind"] == "discount")
    return {
        "invoice_id": f"inv-{uid}", "invoice_number": f"INV-2026-{uid[:8]}", "account_id": f"adv-{uid}",
        "bill_to_account_id": bill_to or f"agy-{uid}", "contract_id": contract_id or f"IO-{uid}",
        "po_number": None, "period": period, "period_start": f"{period}-01",
        "period_end": date.fromordinal(end).isoformat(), "issue_date": issue_date.isoformat(),
        "due_date": issue_date.isoformat(), "currency": "USD", "lines": lines, "subtotal": format(subtotal, "f"),
        "discount_total": format(discount, "f"), "commission_total": "0.00", "tax_total": "0.00",
        "total": format(subtotal + discount, "f"),
    }


@dataclass
class DisputeEnv:
    """dispute-svc wired to the real database and broker, driven in-process over HTTP."""

    ctx: Any
    http: httpx.AsyncClient
    clock: DisputeTestClock
    opened: list[str] = field(default_factory=list)

    async def apply(self, event_type: str, data: dict[str, Any], *, subject: str = "s") -> None:
        """Run the service's real handler for an event in its own transaction (as the consumer does)."""
        env = envelope_for(event_type, data, subject=subject)
        async with self.ctx.sessions.begin() as session:
            await HANDLERS.dispatch(Event.of(env), unit_in(self.ctx, session))

    async def seed_invoice(self, uid: str, **kw: Any) -> dict[str, Any]:
        data = invoice_data(uid, **kw)
        await self.apply("InvoiceIssued", data, subject=data["invoice_id"])
        return data

    async def open(self, invoice: dict[str, Any], amounts: dict[str, str], *, reason: str = "rate_mismatch",
                   roles: str | list[str] = "billing-analyst", sub: str = "ana", **extra: Any) -> httpx.Response:
        body = {"invoice_id": invoice["invoice_id"], "reason_code": reason,
                "description": "advertiser contests the charge",
                "lines": [{"invoice_line_id": k, "amount": v} for k, v in amounts.items()], **extra}
        return await self.http.post("/v1/disputes", json=body, headers=bearer(roles, sub))

    async def post(self, path: str, body: dict[str, Any] | None = None, *, roles: str | list[str] = "billing-analyst",
                   sub: str = "ana", headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {}, headers={**bearer(roles, sub), **(headers or {})})

    async def get(self, path: str, *, roles: str | list[str] = "auditor", **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers=bearer(roles, "reader"))


@pytest.fixture(scope="session")
def dispute_db(database_url: str) -> str:
    run_migrations("dispute-svc", database_url)
    return database_url


@pytest.fixture(scope="session")
def dispute_invoice_svc_db(database_url: str) -> str:
    """invoice-svc's own schema, for the evidence tests that drive the real invoice-svc app."""
    run_migrations("invoice-svc", database_url)
    return database_url


@pytest.fixture
def dispute_settings(dispute_db: str, kafka_bootstrap: str, topics_ready: None) -> Settings:
    return Settings(database_url=dispute_db, kafka_bootstrap_servers=kafka_bootstrap,
                    invoice_svc_url=UNREACHABLE_INVOICE_SVC, invoice_svc_timeout_s=3)


@pytest.fixture
async def dispute_env_factory(dispute_settings: Settings):
    """Build as many dispute-svc instances as a test needs (another invoice-svc client, another clock)."""
    built: list[DisputeEnv] = []

    async def make(*, invoice_client: Any = None, at: datetime | None = None) -> DisputeEnv:
        clock = DisputeTestClock(at)
        ctx = build(dispute_settings, invoice_client=invoice_client, clock=clock)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t")
        env = DisputeEnv(ctx, http, clock)
        built.append(env)
        return env

    yield make
    for env in built:
        await env.http.aclose()
        await env.ctx.close()


@pytest.fixture
async def dispute_env(dispute_env_factory) -> DisputeEnv:
    """dispute-svc on 2026-11-10 12:00 UTC (a Tuesday), invoice-svc unreachable."""
    return await dispute_env_factory(at=datetime(2026, 11, 10, 12, tzinfo=UTC))


@pytest.fixture
def dispute_invoice_data():
    """The `invoice_data` builder, for tests that publish InvoiceIssued themselves."""
    return invoice_data
