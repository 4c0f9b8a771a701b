"""Kafka topics invoice-svc consumes (those of the event types its handler table registers) and its runner."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaProducer

from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.handlers import HANDLERS
from mediabill_common.consumer import ConsumerRunner, consumer_runner
from mediabill_common.service import ServiceContext

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: ServiceContext[Any, Any], producer: AIOKafkaProducer, *, name: str | None = None) \
        -> ConsumerRunner:
    return consumer_runner(ctx, producer, HANDLERS, SqlUnits(ctx).of, name=name)
