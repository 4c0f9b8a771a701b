"""The consumer of product-config-svc: billing.invoices.v1 into the invoiced-periods read model (so that an
amendment never rewrites terms already invoiced), by the handler table in app/handlers."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from mediabill_common.consumer import ConsumerRunner, consumer_runner
from product_config_svc.adapters.unit import SqlUnit
from product_config_svc.app.handlers import HANDLERS
from product_config_svc.context import ProductConfigContext

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: ProductConfigContext, producer: AIOKafkaProducer, *, name: str | None = None) -> ConsumerRunner:
    return consumer_runner(ctx, producer, HANDLERS, SqlUnit.of, name=name)
