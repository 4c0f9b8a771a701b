"""The collections process: a consumer of billing.invoices.v1 + billing.disputes.v1 and a small HTTP API.

The API is guarded and answers as the services' do (mediabill_common.service.guard_requests): a bearer JWT verified
before the body is read (exp and sub required, roles checked per route), a request body limit, NUL characters
refused, and every error as RFC 9457 problem+json."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import Depends, FastAPI

from mediabill_common.auth.principal import Principal
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.kafka import make_producer
from mediabill_common.service import guard_requests
from mediabill_common.web.docs import serve_docs
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal, require_roles
from tools.collections.consumer import consume
from tools.collections.ledger import ArLedger
from tools.collections.payments import (
    PAYMENT_ROLES,
    PaymentRequest,
    new_payment,
    payment_json,
    publish_payment,
    republish,
)
from tools.collections.settings import CollectionsSettings

log = logging.getLogger("collections")


async def _open_ledger(settings: CollectionsSettings) -> tuple[asyncpg.Pool, ArLedger]:
    """Wait for the database rather than exit: collections may start while PostgreSQL is restarting."""
    delay = 0.5
    while True:
        try:
            pool = await asyncpg.create_pool(settings.asyncpg_url, min_size=1, max_size=5)
            ledger = ArLedger(pool)
            try:
                await ledger.create()
            except BaseException:
                pool.terminate()
                raise
            return pool, ledger
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                asyncpg.CannotConnectNowError) as exc:
            log.warning("database not reachable yet (%r); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)


def build_app(settings: CollectionsSettings | None = None, *, run_consumer: bool = True) -> FastAPI:
    settings = settings or CollectionsSettings()
    state: dict = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state["pool"], state["ledger"] = await _open_ledger(settings)
        producer: AIOKafkaProducer = make_producer(settings.kafka_bootstrap_servers, client_id="collections")
        state["producer"] = producer
        await producer.start()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(republish(producer, state["ledger"], stop))]
        if run_consumer:
            tasks.append(asyncio.create_task(consume(state["ledger"], producer, settings, stop)))
        yield
        stop.set()
        await asyncio.gather(*tasks)
        await producer.stop()
        await state["pool"].close()

    app = FastAPI(title="collections (simulated)", lifespan=lifespan, docs_url=None, redoc_url=None)
    serve_docs(app)
    guard_requests(app, settings, JwtVerifier(
        hs256_secret=settings.jwt_hs256_secret, jwks_url=settings.jwt_jwks_url, issuer=settings.jwt_issuer,
        audience=settings.jwt_audience, roles_claim=settings.jwt_roles_claim))

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    @app.get("/health/ready")
    async def ready() -> dict:
        async with state["pool"].acquire() as conn:
            await conn.fetchval("SELECT 1")
        return {"status": "ok"}

    @app.get("/v1/ar")
    async def ar(_who: CurrentPrincipal) -> dict:
        return {"accounts": await state["ledger"].accounts()}

    async def invoice_row(invoice_id: str):
        row = await state["ledger"].invoice(invoice_id)
        if row is None:
            raise NotFound("collections has not seen this invoice")
        return row

    @app.get("/v1/invoices/{invoice_id}")
    async def invoice(invoice_id: str, _who: CurrentPrincipal) -> dict:
        row = await invoice_row(invoice_id)
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(row).items()}

    @app.post("/v1/payments", status_code=201, summary=f"Record a payment (roles: {', '.join(PAYMENT_ROLES)})")
    async def pay(body: PaymentRequest, _who: Annotated[Principal, Depends(require_roles(*PAYMENT_ROLES))]) -> dict:
        payment = new_payment(body, await invoice_row(body.invoice_id))
        await state["ledger"].record_payment(payment)
        await publish_payment(state["producer"], state["ledger"], payment)
        return payment_json(payment)

    return app
