"""The simulated collections system's HTTP API, the reference others copy, guarded as the services are: a token must
verify (exp and sub required), only the roles that apply cash may record a payment, and a payment is checked with
the event catalog's wire types (ISO 4217 currency, a positive decimal string, no more decimals than the currency
has). Refusals are problem+json and write nothing; an accepted payment is recorded and published on the real
broker."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import asyncpg
import httpx
import jwt
import pytest

from mediabill_common.testing.kafka import envelope_for, read_topic
from mediabill_common.testing.plugin import bearer
from tools.collections.app import build_app
from tools.collections.ledger import ArLedger
from tools.collections.payments import PAYMENTS_TOPIC
from tools.collections.settings import CollectionsSettings

pytestmark = pytest.mark.integration

INVOICE_SVC = "/mediabill/invoice-svc"


def invoice_issued(invoice_id: str, currency: str = "USD", total: str = "500.00") -> dict:
    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id[-10:]}", "account_id": f"A-{invoice_id}",
            "bill_to_account_id": f"A-{invoice_id}", "contract_id": None, "po_number": None, "period": "2025-06",
            "period_start": "2025-06-01", "period_end": "2025-06-30", "issue_date": "2025-07-01",
            "due_date": "2025-07-31", "currency": currency, "lines": [{
                "invoice_line_id": f"{invoice_id}-L1", "kind": "usage", "product_code": "P", "description": "Display",
                "quantity": 1000, "unit": "impressions", "unit_price": total, "price_base_quantity": 1000,
                "amount": total}],
            "subtotal": total, "discount_total": "0", "commission_total": "0", "tax_total": "0", "total": total}


@pytest.fixture(scope="module")
async def settings(database_url, kafka_bootstrap, topics_ready) -> CollectionsSettings:
    return CollectionsSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)


@pytest.fixture(scope="module")
async def http(settings):
    app = build_app(settings, run_consumer=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://collections") as client:
        yield client


@pytest.fixture(scope="module")
async def pool(settings, http):  # after the app made the ledger's tables
    pool = await asyncpg.create_pool(settings.asyncpg_url, min_size=1, max_size=2)
    yield pool
    await pool.close()


async def _issue(pool, currency: str = "USD") -> str:
    invoice_id = f"I-{uuid.uuid4().hex[:12]}"
    envelope = envelope_for("InvoiceIssued", invoice_issued(invoice_id, currency), subject=invoice_id,
                            source=INVOICE_SVC)
    assert await ArLedger(pool).apply(envelope)
    return invoice_id


async def _payments(pool, invoice_id: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch("SELECT * FROM collections.payments WHERE invoice_id = $1", invoice_id)


def _unsigned_claims(claims: dict) -> dict[str, str]:
    secret = CollectionsSettings().jwt_hs256_secret
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize("claims", [
    pytest.param({"sub": "no-exp", "roles": ["service"]}, id="no exp"),
    pytest.param({"roles": ["service"], "exp": int(time.time()) + 600}, id="no sub"),
    pytest.param({"sub": "late", "roles": ["service"], "exp": int(time.time()) - 60}, id="expired"),
])
async def test_a_token_without_exp_or_sub_or_past_its_exp_is_refused(http, pool, claims):
    invoice_id = await _issue(pool)
    headers = _unsigned_claims(claims)
    _problem(await http.get(f"/v1/invoices/{invoice_id}", headers=headers), 401)
    _problem(await http.get("/v1/ar", headers=headers), 401)
    _problem(await http.post("/v1/payments", json={"invoice_id": invoice_id, "amount": "1.00"}, headers=headers), 401)
    _problem(await http.post("/v1/payments", json={"invoice_id": invoice_id, "amount": "1.00"}), 401)
    assert await _payments(pool, invoice_id) == []


@pytest.mark.parametrize("headers", [
    pytest.param(bearer("auditor"), id="auditor"),
    pytest.param(bearer("config-admin"), id="config-admin"),
    pytest.param(_unsigned_claims({"sub": "nobody", "exp": int(time.time()) + 3600}), id="no role"),
    pytest.param(_unsigned_claims({"sub": "nobody", "roles": ["root"], "exp": int(time.time()) + 3600}),
                 id="unknown role"),
])
async def test_only_the_roles_that_apply_cash_may_record_a_payment(http, pool, headers):
    invoice_id = await _issue(pool)
    assert (await http.get(f"/v1/invoices/{invoice_id}", headers=headers)).status_code == 200  # every caller reads
    _problem(await http.post("/v1/payments", json={"invoice_id": invoice_id, "amount": "0.01"}, headers=headers), 403)
    assert await _payments(pool, invoice_id) == []


@pytest.mark.parametrize("role", ["billing-analyst", "billing-manager", "billing-director", "service"])
async def test_a_payment_by_a_cash_applying_role_is_recorded_and_published(http, pool, kafka_bootstrap, role):
    invoice_id = await _issue(pool)
    response = await http.post("/v1/payments", json={"invoice_id": invoice_id, "amount": "120.50"},
                               headers=bearer(role))
    assert response.status_code == 201, response.text
    payment = response.json()
    assert (payment["amount"], payment["currency"]) == ("120.50", "USD")
    [row] = await _payments(pool, invoice_id)
    assert row["amount"] == Decimal("120.50") and row["payment_id"] == payment["payment_id"]
    [(event, _)] = await read_topic(kafka_bootstrap, PAYMENTS_TOPIC,
                                    lambda value, _r: bool(value) and value["id"] == payment["payment_id"], count=1)
    assert event["type"] == "PaymentApplied" and event["data"]["amount"] == "120.50"


@pytest.mark.parametrize(("currency", "body", "field"), [
    pytest.param("USD", {"amount": "1.00", "currency": "ZZZ"}, "currency", id="not an ISO 4217 currency"),
    pytest.param("USD", {"amount": "1.00", "currency": "usd"}, "currency", id="lower-case currency"),
    pytest.param("USD", {"amount": "0.001"}, "amount", id="below the cent"),
    pytest.param("USD", {"amount": "1.0000000001"}, "amount", id="ten decimals"),
    pytest.param("JPY", {"amount": "100.5"}, "amount", id="decimals in a currency without"),
    pytest.param("USD", {"amount": "1.001", "currency": "KWD"}, None, id="three decimals in KWD are fine"),
    pytest.param("USD", {"amount": "0"}, "amount", id="zero"),
    pytest.param("USD", {"amount": "-5.00"}, "amount", id="negative"),
    pytest.param("USD", {"amount": 0.01}, "amount", id="a JSON number"),
    pytest.param("USD", {"amount": "1e2"}, "amount", id="exponent"),
    pytest.param("USD", {"amount": "NaN"}, "amount", id="NaN"),
    pytest.param("USD", {"amount": "1" * 400}, "amount", id="beyond the catalog's bound"),
    pytest.param("USD", {"amount": "99999999.99"}, None, id="large and exact"),
])
async def test_a_payment_is_checked_with_the_catalogs_wire_types(http, pool, currency, body, field):
    invoice_id = await _issue(pool, currency)
    response = await http.post("/v1/payments", json={"invoice_id": invoice_id, **body},
                               headers=bearer("billing-analyst"))
    if field is None:
        assert response.status_code == 201, response.text
        assert len(await _payments(pool, invoice_id)) == 1
        return
    problem = _problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert await _payments(pool, invoice_id) == []


async def test_a_payment_for_an_invoice_collections_has_not_seen_is_404_problem_json(http):
    _problem(await http.post("/v1/payments", json={"invoice_id": "I-never-issued", "amount": "1.00"},
                             headers=bearer("service")), 404)


async def test_the_api_has_the_services_guard_in_front_of_its_routes(http, pool, settings):
    invoice_id = await _issue(pool)
    too_large = b'{"invoice_id": "' + b"x" * settings.http_max_body_bytes + b'", "amount": "1.00"}'
    _problem(await http.post("/v1/payments", content=too_large, headers={**bearer("service"),
                                                                       "content-type": "application/json"}), 413)
    _problem(await http.post("/v1/payments", content=too_large), 401)  # the token first, the body unread
    _problem(await http.post("/v1/payments", json={"invoice_id": f"{invoice_id}\u0000", "amount": "1.00"},
                             headers=bearer("service")), 422)
    assert await _payments(pool, invoice_id) == []
