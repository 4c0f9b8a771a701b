"""Kafka topics invoice-svc consumes (those of the event types its handler table registers) and its runner."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from invoice_svc.app.handlers import HANDLERS
from invoice_svc.context import InvoiceContext
from mediabill_common.consumer import ConsumerRunner, consumer_runner

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: InvoiceContext, producer: AIOKafkaProducer, *, name: str | None = None) -> ConsumerRunner:
    return consumer_runner(ctx, producer, HANDLERS, ctx.deps.units.of, name=name)
