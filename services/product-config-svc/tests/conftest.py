"""Fixtures of product-config-svc's tests (named for the service: all services' tests run in one session)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mediabill_common.testing.kafka import flush_outbox, read_topic
from mediabill_common.testing.plugin import bearer, run_migrations
from product_config_svc.bootstrap import build, build_app
from product_config_svc.settings import Settings


@pytest.fixture(scope="session")
def product_config_db(database_url: str) -> str:
    run_migrations("product-config-svc", database_url)
    return database_url


@pytest.fixture(scope="session")
def real_invoice_svc_app(database_url: str, kafka_bootstrap: str):
    """The REAL invoice-svc app; its POST /v1/price-simulations is pure and touches no database."""
    from invoice_svc.bootstrap import build as invoice_build
    from invoice_svc.bootstrap import build_app as invoice_build_app
    from invoice_svc.settings import Settings as InvoiceSettings

    return invoice_build_app(invoice_build(InvoiceSettings(database_url=database_url,
                                                           kafka_bootstrap_servers=kafka_bootstrap)))


def invoice_svc_stand_in(status: int, body: dict[str, Any]) -> FastAPI:
    """A tiny invoice-svc that answers every price simulation with `status` and `body` (error paths)."""
    app = FastAPI()

    @app.post("/v1/price-simulations")
    async def _simulate(request: Request) -> JSONResponse:
        return JSONResponse(body, status_code=status)

    return app


def closed_port_url() -> str:
    """A URL nothing listens on: the port was bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class ConfigApi:
    """Drives product-config-svc through its REST API, as config admins and readers do."""

    def __init__(self, client: httpx.AsyncClient, ctx, kafka_bootstrap: str, unique: str) -> None:
        self.client, self.ctx, self.kafka, self.unique = client, ctx, kafka_bootstrap, unique
        self.admin = bearer(["config-admin"], sub=f"admin-{unique}")
        self.reader = bearer(["billing-analyst"], sub=f"analyst-{unique}")

    async def ok(self, method: str, path: str, status: int = 200, **kwargs) -> httpx.Response:
        kwargs.setdefault("headers", self.admin)
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response

    async def account(self, name: str, type_: str = "advertiser", **fields) -> dict:
        body = {"account_id": f"{name}-{self.unique}", "type": type_, "legal_name": f"{name} Inc.",
                "currency": "USD", **fields}
        return (await self.ok("POST", "/v1/accounts", 201, json=body)).json()

    async def product(self, name: str, model: str = "cpm", *, rate: str | None = "6.00", live: bool = True,
                      **fields) -> dict:
        code = f"{name}-{self.unique}"
        body = {"code": code, "name": f"{name} product", "channel": "onsite", "pricing_model": model,
                "gl_revenue_account": "401000-RMN", "tax_code": "ADV", "invoice_description": f"{name} media",
                **fields}
        product = (await self.ok("POST", "/v1/products", 201, json=body)).json()
        if rate is not None:
            product = (await self.ok("POST", f"/v1/products/{code}/rate-cards", 201, json={
                "effective_from": "2026-01-01", "currency": "USD", "price": rate})).json()
        if live:
            product = (await self.ok("POST", f"/v1/products/{code}/activate")).json()
        return product

    async def events(self, subject: str, count: int) -> list[dict]:
        """The billing.config.v1 events about `subject`, read back from the real topic."""
        await flush_outbox(self.ctx)
        found = await read_topic(self.kafka, "billing.config.v1",
                                 lambda v, r: isinstance(v, dict) and v.get("subject") == subject, count=count)
        assert all(r.key.decode() == subject for _, r in found)
        return [v for v, _ in found]


def make_product_ctx(database_url: str, kafka_bootstrap: str, invoice_client: httpx.AsyncClient):
    return build(Settings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap),
                 invoice_client=invoice_client)


@pytest.fixture(scope="session")
async def product_ctx(product_config_db: str, kafka_bootstrap: str, topics_ready, real_invoice_svc_app):
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=real_invoice_svc_app), base_url="http://invoice")
    ctx = make_product_ctx(product_config_db, kafka_bootstrap, client)
    yield ctx
    await ctx.close()


@pytest.fixture(scope="session")
async def product_http(product_ctx):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(product_ctx)),
                                 base_url="http://t") as client:
        yield client


@pytest.fixture
def config_api(product_http, product_ctx, kafka_bootstrap: str, unique: str) -> ConfigApi:
    return ConfigApi(product_http, product_ctx, kafka_bootstrap, unique)


@pytest.fixture
async def config_api_with_invoice_svc(product_config_db: str, kafka_bootstrap: str, unique: str):
    """Builds a ConfigApi whose invoice-svc is the given ASGI app or base URL (error paths)."""
    built = []

    async def _make(invoice: FastAPI | str) -> ConfigApi:
        client = (httpx.AsyncClient(base_url=invoice, timeout=5) if isinstance(invoice, str)
                  else httpx.AsyncClient(transport=httpx.ASGITransport(app=invoice), base_url="http://invoice"))
        ctx = make_product_ctx(product_config_db, kafka_bootstrap, client)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t")
        built.append((ctx, http))
        return ConfigApi(http, ctx, kafka_bootstrap, unique)

    yield _make
    for ctx, http in built:
        await http.aclose()
        await ctx.close()


@pytest.fixture
def stand_in_invoice_svc():
    return invoice_svc_stand_in


@pytest.fixture
def unreachable_invoice_svc_url() -> str:
    return closed_port_url()
