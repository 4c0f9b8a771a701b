"""What the stateful API tests make before they run: the resources generated data cannot name.

Each is made the way production makes it: configuration through product-config-svc's API; events (an issued
invoice, a delivery, configuration states) through the consuming service's own handlers, as its consumer would
apply them; a bill run through invoice-svc's API and its executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from mediabill_common.auth.principal import ROLES
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import parse_payload
from mediabill_common.testing.kafka import envelope_for
from mediabill_common.testing.plugin import token

SEEDER = {"Authorization": f"Bearer {token(list(ROLES), sub='stateful-seed')}"}


@dataclass(frozen=True)
class Prerequisites:
    """Real resources of one service, for references a generator cannot guess."""

    invoice_id: str | None = None
    invoice_line_ids: tuple[str, ...] = ()
    account_id: str | None = None
    currency: str = "USD"
    product_code: str | None = None


def _received(event_type: str, data: dict[str, Any], subject: str) -> Received:
    envelope = envelope_for(event_type, data, subject=subject)
    return Received(record=None, envelope=envelope, payload=parse_payload(event_type, envelope.data))


def invoice_issued(uid: str) -> dict[str, Any]:
    """InvoiceIssued of last month's usage, issued today: three large lines, so headroom never runs out."""
    today = datetime.now(UTC).date()
    end = today.replace(day=1) - timedelta(days=1)
    lines = [{"invoice_line_id": f"INV-{uid}-L{n}", "kind": "usage", "product_code": f"DISPLAY-{uid}",
              "line_item_id": f"LI-{uid}-{n}", "description": f"Display impressions, line {n}",
              "quantity": 200_000_000, "unit": "impressions", "unit_price": "5.00", "price_base_quantity": 1000,
              "amount": "1000000.00"} for n in (1, 2, 3)]
    return {"invoice_id": f"INV-{uid}", "invoice_number": f"INV-{end.year}-{uid[:8]}", "account_id": f"ADV-{uid}",
            "bill_to_account_id": f"ADV-{uid}", "contract_id": f"IO-{uid}", "po_number": None,
            "period": end.strftime("%Y-%m"), "period_start": end.replace(day=1).isoformat(),
            "period_end": end.isoformat(), "issue_date": today.isoformat(),
            "due_date": (today + timedelta(days=30)).isoformat(), "currency": "USD", "lines": lines,
            "subtotal": "3000000.00", "discount_total": "0.00", "commission_total": "0.00", "tax_total": "0.00",
            "total": "3000000.00"}


async def issue_to_disputes(ctx, invoice: dict[str, Any]) -> None:
    from dispute_svc.entrypoints.consumer import HANDLERS, unit_in
    from mediabill_common.consumer import Event

    received = _received("InvoiceIssued", invoice, invoice["invoice_id"])
    async with ctx.sessions.begin() as session:
        await HANDLERS.dispatch(Event(received.envelope, received.payload), unit_in(ctx, session))


async def issue_to_adjustments(ctx, invoice: dict[str, Any]) -> None:
    from adjustment_svc.app.handlers import HANDLERS
    from adjustment_svc.entrypoints.consumer import unit_in
    from mediabill_common.consumer import Event

    received = _received("InvoiceIssued", invoice, invoice["invoice_id"])
    async with ctx.sessions.begin() as session:
        await HANDLERS.dispatch(Event(received.envelope, received.payload), unit_in(ctx, session))


def _delivery(uid: str, *, account_id: str, product_code: str, contract_id: str | None) -> dict[str, Any]:
    return {"delivery_id": f"D-{uid}", "revision": 0, "source_system": "pio", "account_id": account_id,
            "contract_id": contract_id, "campaign_id": f"CMP-{uid}", "line_item_id": f"LI-{uid}",
            "campaign_name": "Spring", "product_code": product_code, "delivery_date": "2025-03-10",
            "impressions": 100_000, "viewable_impressions": 50_000, "clicks": 1_000, "conversions": 10,
            "third_party_impressions": None, "media_cost": None, "currency": None}


async def billing_history(ctx, app, uid: str) -> None:
    """In invoice-svc: an issued invoice of March 2025 (configuration and a delivery through its handlers, the bill
    run through its API and executor) and a delivery of an unknown product, which raises billing exceptions."""
    from invoice_svc.adapters.unit import SqlUnits
    from invoice_svc.app.handlers import HANDLERS
    from invoice_svc.entrypoints.worker import bill_run_executor
    from mediabill_common.consumer import Event

    def event(event_type: str, data: dict[str, Any], subject: str) -> Event:
        received = _received(event_type, data, subject)
        return Event(received.envelope, received.payload)

    account, product, contract = f"ADV-{uid}", f"DISPLAY-{uid}", f"IO-{uid}"
    config = [
        ("ProductActivated", {"product": {"code": product, "name": "Onsite display", "channel": "onsite",
                                          "pricing_model": "cpm", "status": "live", "gl_revenue_account": "401000",
                                          "invoice_description": "Display impressions", "rate_cards": [
                                              {"effective_from": "2024-01-01", "currency": "USD", "price": "5.00"}]}},
         product),
        ("BillingAccountUpserted", {"account": {"account_id": account, "type": "advertiser", "currency": "USD",
                                                "legal_name": f"Advertiser {uid}",
                                                "invoice_contact": "ap@advertiser.example"}}, account),
        ("ContractActivated", {"contract": {
            "contract_id": contract, "status": "active", "advertiser_account_id": account,
            "bill_to_account_id": account, "currency": "USD", "flight_start": "2025-01-01",
            "flight_end": "2025-12-31", "lines": [{"line_item_id": f"LI-{uid}", "product_code": product}],
            "versions": [{"amendment_no": 0, "effective_from": "2025-01-01", "terms": {}}]}}, contract),
    ]
    deliveries = [_delivery(uid, account_id=account, product_code=product, contract_id=contract),
                  _delivery(f"{uid}-X", account_id=f"UNKNOWN-{uid}", product_code=f"UNKNOWN-{uid}", contract_id=None)]
    async with ctx.sessions.begin() as session:
        unit = SqlUnits(ctx).over(session)
        for event_type, data, key in config:
            await HANDLERS.handlers[event_type](event(event_type, {"state_version": 1, **data}, key), unit)
        await HANDLERS.batch_handlers["CampaignDelivered"](
            [event("CampaignDelivered", d, d["delivery_id"]) for d in deliveries], unit)
    async with _client(app) as api:
        run = await _ok(api, "POST", "/v1/bill-runs", {"period": "2025-03", "mode": "issue",
                                                       "bill_to_account_ids": [account]}, 202)
        # Earlier tests may have queued runs of their own; the executor takes them oldest first.
        executor = bill_run_executor(ctx)  # what the worker role runs
        while (await api.get(f"/v1/bill-runs/{run['run_id']}")).json()["status"] not in ("completed", "failed"):
            assert await executor.run_once(), "the seeded bill run was not claimed"
        issued = (await api.get("/v1/invoices", params={"bill_to_account_id": account, "status": "issued"})).json()
        assert issued["items"], f"the seeded bill run issued nothing: {run}"


async def live_configuration(app, uid: str) -> tuple[str, str]:
    """In product-config-svc: an advertiser account and a live CPM product, set up through its API."""
    async with _client(app) as api:
        account = await _ok(api, "POST", "/v1/accounts", {"account_id": f"ADV-{uid}", "type": "advertiser",
                                                          "legal_name": f"Advertiser {uid}", "currency": "USD"}, 201)
        code = f"DISPLAY-{uid}"
        await _ok(api, "POST", "/v1/products", {"code": code, "name": "Onsite display", "channel": "onsite",
                                                "pricing_model": "cpm", "gl_revenue_account": "401000",
                                                "tax_code": "ADV", "invoice_description": "Display impressions"}, 201)
        await _ok(api, "POST", f"/v1/products/{code}/rate-cards", {"effective_from": "2020-01-01",
                                                                    "currency": "USD", "price": "6.00"}, 201)
        await _ok(api, "POST", f"/v1/products/{code}/activate", {}, 200)
        return account["account_id"], code


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://seed", headers=SEEDER)


async def _ok(api: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], status: int) -> dict[str, Any]:
    response = await api.request(method, path, json=body)
    assert response.status_code == status, (method, path, response.text)
    return response.json()
