"""The handler contract end to end on the real broker and database: a service's table and unit through
`consumer_runner`; an event about something not seen yet is parked and replayed, through the table, in the
transaction of the event it waited for."""

import pytest
from sqlalchemy import text

from mediabill_common.audit import AuditTrail
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.consumer import Event, HandlerTable, Unit, UnitParts, consumer_runner
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.outbox.writer import OutboxWriter
from mediabill_common.service import Dependencies, ServiceContext
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.kafka import envelope_for, publish, run_consumer_until
from mediabill_common.web.health import KafkaProbe

pytestmark = pytest.mark.integration


class LedgerUnit(Unit):
    """A service's unit: the common parts and one repository over the transaction's session."""

    def __init__(self, session, parts: UnitParts, schema: str) -> None:
        super().__init__(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)
        self.schema = schema

    async def record(self, what: str) -> None:
        await self.session.execute(text(f'INSERT INTO "{self.schema}".applied (what) VALUES (:w)'), {"w": what})

    async def invoice_known(self, invoice_id: str) -> bool:
        found = await self.session.execute(text(f'SELECT 1 FROM "{self.schema}".applied WHERE what = :w'),
                                           {"w": f"issued {invoice_id}"})
        return found.first() is not None


async def when_invoice_issued_record_it(event: Event, unit: LedgerUnit) -> None:
    await unit.record(f"issued {event.payload.invoice_id}")
    await unit.parking.replay(event.payload.invoice_id)


async def when_payment_applied_record_it(event: Event, unit: LedgerUnit) -> None:
    if not await unit.invoice_known(event.payload.invoice_id):
        await unit.parking.park(event, waiting_for=event.payload.invoice_id)
        return
    await unit.record(f"paid {event.payload.payment_id}")


TABLE = HandlerTable({"InvoiceIssued": when_invoice_issued_record_it,
                      "PaymentApplied": when_payment_applied_record_it})


def _issued(invoice_id: str) -> dict:
    return {"invoice_id": invoice_id, "invoice_number": f"N-{invoice_id}", "account_id": "A", "bill_to_account_id": "A",
            "contract_id": None, "po_number": None, "period": "2025-06", "period_start": "2025-06-01",
            "period_end": "2025-06-30", "issue_date": "2025-07-01", "due_date": "2025-07-31", "currency": "USD",
            "lines": [], "subtotal": "0.00", "discount_total": "0.00", "commission_total": "0.00",
            "tax_total": "0.00", "total": "0.00"}


def _payment(payment_id: str, invoice_id: str) -> dict:
    return {"payment_id": payment_id, "invoice_id": invoice_id, "bill_to_account_id": "A", "amount": "1.00",
            "currency": "USD", "applied_at": "2025-07-10T09:00:00Z"}


async def test_an_early_event_is_parked_and_replayed_through_the_table_when_what_it_waits_for_arrives(
        common_schema, database_url, kafka_bootstrap, unique):
    schema, tables, engine, sessions = common_schema
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE TABLE "{schema}".applied (id serial, what text)'))
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
                               service_name=f"contract-{unique}")
    ctx = ServiceContext(settings=settings, engine=engine, sessions=sessions, tables=tables,
                         outbox=OutboxWriter(tables.outbox, source="/t"), audit=AuditTrail(tables.audit_log),
                         verifier=JwtVerifier(hs256_secret=settings.jwt_hs256_secret),
                         kafka_probe=KafkaProbe(kafka_bootstrap), deps=Dependencies())
    topic = f"test.contract.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    invoice = f"INV-{unique}"
    await publish(kafka_bootstrap, topic, [
        ("A", envelope_for("PaymentApplied", _payment("P1", invoice), subject=invoice)),
        ("A", envelope_for("PaymentApplied", _payment("P2", invoice), subject=invoice)),
        ("A", envelope_for("InvoiceIssued", _issued(invoice), subject=invoice)),
        ("A", envelope_for("PaymentApplied", _payment("P3", invoice), subject=invoice)),
    ])

    async def applied() -> list[str]:
        async with sessions() as session:
            return list((await session.execute(text(f'SELECT what FROM "{schema}".applied ORDER BY id'))).scalars())

    async def all_applied() -> bool:
        return len(await applied()) == 4

    await run_consumer_until(
        kafka_bootstrap, lambda producer: consumer_runner(ctx, producer, TABLE, lambda s, p: LedgerUnit(s, p, schema)),
        [topic], all_applied, timeout_s=30, group_id=f"contract-{unique}")
    assert await applied() == [f"issued {invoice}", "paid P1", "paid P2", "paid P3"]
    async with sessions() as session:
        assert await session.scalar(text(f'SELECT count(*) FROM "{schema}".parked_events')) == 0


class InvoiceLocked(Exception):
    """An application error that knows nothing of HTTP."""


async def test_create_app_answers_a_services_own_errors_as_problem_json(common_schema, database_url, kafka_bootstrap):
    import httpx
    from fastapi import APIRouter

    from mediabill_common.testing.plugin import bearer
    from mediabill_common.web.problems import Conflict

    _, tables, engine, sessions = common_schema
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
    ctx = ServiceContext(settings=settings, engine=engine, sessions=sessions, tables=tables,
                         outbox=OutboxWriter(tables.outbox, source="/t"), audit=AuditTrail(tables.audit_log),
                         verifier=JwtVerifier(hs256_secret=settings.jwt_hs256_secret),
                         kafka_probe=KafkaProbe(kafka_bootstrap), deps=Dependencies())
    router = APIRouter()

    @router.get("/v1/locked")
    async def locked() -> None:
        raise InvoiceLocked("invoice INV-1 is in a closed period")

    from mediabill_common.service import create_app
    app = create_app(ctx, title="t", description="d", routers=[router],
                     errors={InvoiceLocked: lambda exc: Conflict(str(exc), slug="period-closed")})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/v1/locked", headers=bearer("auditor"))
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "invoice INV-1 is in a closed period"
    assert answer.json()["type"].endswith("period-closed")
