"""Kafka topics adjustment-svc consumes and the handler for each event type."""

from aiokafka import AIOKafkaProducer

from mediabill_common.consumer import ConsumerRunner
from mediabill_common.service import ServiceContext

TOPICS: list[str] = []


def make_runner(ctx: ServiceContext, producer: AIOKafkaProducer) -> ConsumerRunner:
    return ConsumerRunner(name=ctx.settings.service_name, session_factory=ctx.sessions,
                          inbox=ctx.tables.inbox, handlers={}, producer=producer,
                          max_attempts=ctx.settings.consumer_max_attempts)
