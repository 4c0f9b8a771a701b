"""Kafka topics product-config-svc consumes and the handler for each event type.

It keeps one small read model: which contract periods carry a non-void invoice (billing.invoices.v1), so that an
amendment never rewrites terms already invoiced.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.consumer.decode import Received
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.events.envelope import Envelope
from mediabill_common.service import ServiceContext
from product_config_svc.adapters.repositories import InvoicedPeriodRepository
from product_config_svc.app.handlers.when_invoice_issued_mark_period_invoiced import (
    when_invoice_issued_mark_period_invoiced,
)
from product_config_svc.app.handlers.when_invoice_voided_free_period import when_invoice_voided_free_period

TOPICS: list[str] = ["billing.invoices.v1"]


class _SessionParking:
    def __init__(self, lot: ParkingLot, session: AsyncSession) -> None:
        self._lot = lot
        self._session = session

    async def park(self, envelope: Envelope, *, waiting_for: str) -> None:
        await self._lot.park(self._session, envelope, waiting_for=waiting_for)

    async def release(self, waiting_for: str) -> list[Envelope]:
        return await self._lot.release(self._session, waiting_for)


def make_runner(ctx: ServiceContext, producer: AIOKafkaProducer, *, name: str | None = None) -> ConsumerRunner:
    consumer_name = name or ctx.settings.service_name
    lot = ParkingLot(ctx.tables.parked_events, consumer_name)

    async def on_invoice_issued(session: AsyncSession, received: Received) -> None:
        await when_invoice_issued_mark_period_invoiced(InvoicedPeriodRepository(session),
                                                       _SessionParking(lot, session), received.envelope,
                                                       received.payload)

    async def on_invoice_voided(session: AsyncSession, received: Received) -> None:
        await when_invoice_voided_free_period(InvoicedPeriodRepository(session), _SessionParking(lot, session),
                                              received.envelope, received.payload)

    return ConsumerRunner(name=consumer_name, session_factory=ctx.sessions, inbox=ctx.tables.inbox,
                          handlers={"InvoiceIssued": on_invoice_issued, "InvoiceVoided": on_invoice_voided},
                          producer=producer, max_attempts=ctx.settings.consumer_max_attempts,
                          sources=ctx.trusted_sources)
