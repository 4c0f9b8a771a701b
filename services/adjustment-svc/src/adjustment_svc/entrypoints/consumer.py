"""Kafka topics adjustment-svc consumes and the handler for each event type."""

from aiokafka import AIOKafkaProducer

from adjustment_svc.app.handlers import EVENT_HANDLERS, EventHandler, make_deps
from adjustment_svc.app.handlers.deps import HandlerDeps
from mediabill_common.consumer import ConsumerRunner
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import CONFIG_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC
from mediabill_common.service import ServiceContext

TOPICS: list[str] = [INVOICES_TOPIC, DISPUTES_TOPIC, CONFIG_TOPIC]


def _bind(handler: EventHandler, deps: HandlerDeps):
    async def handle(session, received: Received) -> None:
        await handler(session, received.envelope, received.payload, deps)

    handle.__name__ = handler.__name__
    return handle


def make_runner(ctx: ServiceContext, producer: AIOKafkaProducer) -> ConsumerRunner:
    name = ctx.settings.service_name
    deps = make_deps(ctx, name)
    return ConsumerRunner(name=name, session_factory=ctx.sessions, inbox=ctx.tables.inbox,
                          handlers={t: _bind(h, deps) for t, h in EVENT_HANDLERS.items()}, producer=producer,
                          max_attempts=ctx.settings.consumer_max_attempts,
                          sources=ctx.trusted_sources)
