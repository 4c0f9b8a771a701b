"""The collections process: a consumer of billing.invoices.v1 + billing.disputes.v1 and a small HTTP API."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import asyncpg
import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, Field

from tools.collections.ledger import ArLedger, ContractViolation

log = logging.getLogger("collections")
TOPICS = ["billing.invoices.v1", "billing.disputes.v1"]
PAYMENTS_TOPIC = "collections.payments.v1"


class Settings:
    def __init__(self) -> None:
        self.database_url = os.environ.get("DATABASE_URL", "postgresql://mediabill@127.0.0.1:55432/mediabill") \
            .replace("postgresql+asyncpg://", "postgresql://")
        self.bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092")
        self.secret = os.environ.get("JWT_HS256_SECRET", "mediabill-dev-secret-change-me-0123456789")
        self.group = os.environ.get("COLLECTIONS_GROUP", "collections")


class PaymentRequest(BaseModel):
    invoice_id: str
    amount: str = Field(pattern=r"^\d+(\.\d+)?$", description="decimal string")
    currency: str | None = Field(default=None, description="defaults to the invoice's currency")


async def consume(ledger: ArLedger, settings: Settings, stop: asyncio.Event) -> None:
    """At-least-once from Kafka, exactly-once in effect through the processed-events table.

    Outlives database and broker outages: a batch that could not be applied is not committed, and the consumer
    starts again from the last committed offsets (events applied meanwhile are recognised as seen)."""
    while not stop.is_set():
        consumer = AIOKafkaConsumer(*TOPICS, bootstrap_servers=settings.bootstrap, group_id=settings.group,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        try:
            await consumer.start()
            await _consume_batches(consumer, ledger, stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - database or broker away: start over from the committed offsets
            log.warning("consumer interrupted (%r); resuming from the last committed offsets", exc)
            await asyncio.sleep(2)
        finally:
            try:
                await consumer.stop()
            except Exception as exc:  # noqa: BLE001
                log.warning("consumer did not stop cleanly: %r", exc)


async def _consume_batches(consumer: AIOKafkaConsumer, ledger: ArLedger, stop: asyncio.Event) -> None:
    while not stop.is_set():
        batches = await consumer.getmany(timeout_ms=500, max_records=200)
        for records in batches.values():
            for record in records:
                try:
                    await ledger.apply(json.loads(record.value))
                except (ValueError, ContractViolation, KeyError) as exc:
                    log.error("event breaks the published contract: %s", exc)
        if batches:
            await consumer.commit()


async def _open_ledger(settings: Settings) -> tuple[asyncpg.Pool, ArLedger]:
    """Wait for the database rather than exit: collections may start while PostgreSQL is restarting."""
    delay = 0.5
    while True:
        try:
            pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=5)
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


async def publish_payment(producer: AIOKafkaProducer, ledger: ArLedger, payment: dict) -> None:
    """Publish a recorded payment as PaymentApplied (idempotent downstream on payment_id) and mark it sent."""
    data = {**payment, "amount": format(payment["amount"], "f"), "applied_at": payment["applied_at"].isoformat()}
    envelope = {"specversion": "1.0", "id": data["payment_id"], "source": "/collections/simulated",
                "type": "PaymentApplied", "time": data["applied_at"], "subject": data["invoice_id"],
                "datacontenttype": "application/json", "schemaversion": 1, "data": data}
    await producer.send_and_wait(PAYMENTS_TOPIC, json.dumps(envelope).encode(),
                                 key=data["bill_to_account_id"].encode(),
                                 headers=[("content-type", b"application/cloudevents+json")])
    await ledger.mark_published(data["payment_id"])


async def republish(producer: AIOKafkaProducer, ledger: ArLedger, stop: asyncio.Event) -> None:
    """Publish payments recorded but not sent (the process died in between, or Kafka was away)."""
    while not stop.is_set():
        try:
            for payment in await ledger.unpublished_payments(older_than_s=5):
                await publish_payment(producer, ledger, payment)
        except Exception as exc:  # noqa: BLE001 - retried on the next pass
            log.warning("republishing payments failed: %r", exc)
        try:
            await asyncio.wait_for(stop.wait(), timeout=2)
        except TimeoutError:
            pass


def build_app(settings: Settings | None = None, *, run_consumer: bool = True) -> FastAPI:
    settings = settings or Settings()
    state: dict = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        state["pool"], state["ledger"] = await _open_ledger(settings)
        state["producer"] = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, enable_idempotence=True,
                                             acks="all")
        await state["producer"].start()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(republish(state["producer"], state["ledger"], stop))]
        if run_consumer:
            tasks.append(asyncio.create_task(consume(state["ledger"], settings, stop)))
        yield
        stop.set()
        await asyncio.gather(*tasks)
        await state["producer"].stop()
        await state["pool"].close()

    app = FastAPI(title="collections (simulated)", lifespan=lifespan)

    def caller(authorization: str = Header(default="")) -> str:
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), settings.secret, algorithms=["HS256"])
        except jwt.PyJWTError as exc:
            raise HTTPException(401, f"invalid token: {exc}") from exc
        return str(claims.get("sub"))

    @app.get("/health/live")
    async def live() -> dict:
        return {"status": "ok"}

    @app.get("/health/ready")
    async def ready() -> dict:
        async with state["pool"].acquire() as conn:
            await conn.fetchval("SELECT 1")
        return {"status": "ok"}

    @app.get("/v1/ar")
    async def ar(_who: str = Depends(caller)) -> dict:
        return {"accounts": await state["ledger"].accounts()}

    @app.get("/v1/invoices/{invoice_id}")
    async def invoice(invoice_id: str, _who: str = Depends(caller)) -> dict:
        row = await state["ledger"].invoice(invoice_id)
        if row is None:
            raise HTTPException(404, "collections has not seen this invoice")
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(row).items()}

    @app.post("/v1/payments", status_code=201)
    async def pay(body: PaymentRequest, _who: str = Depends(caller)) -> dict:
        row = await state["ledger"].invoice(body.invoice_id)
        if row is None:
            raise HTTPException(404, "collections has not seen this invoice")
        try:
            amount = Decimal(body.amount)
        except InvalidOperation as exc:
            raise HTTPException(422, "amount is not a decimal") from exc
        payment = {"payment_id": str(uuid.uuid4()), "invoice_id": body.invoice_id,
                   "bill_to_account_id": row["bill_to_account_id"], "amount": amount,
                   "currency": body.currency or row["currency"], "applied_at": datetime.now(UTC)}
        await state["ledger"].record_payment(payment)
        await publish_payment(state["producer"], state["ledger"], payment)
        return {**payment, "amount": format(amount, "f"), "applied_at": payment["applied_at"].isoformat()}

    return app
