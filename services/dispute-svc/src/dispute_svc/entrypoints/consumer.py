"""dispute-svc's consumer: the handler table (app/handlers) run by common's consumer runner over SqlUnit."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.unit import SqlUnit
from dispute_svc.app.handlers import HANDLERS
from dispute_svc.context import DisputeContext
from mediabill_common.consumer import ConsumerRunner, Event, Parking, ParkingLot, UnitParts, consumer_runner
from mediabill_common.events.catalog import Payload

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: DisputeContext, producer: AIOKafkaProducer, *,
                name: str | None = None) -> ConsumerRunner:
    return consumer_runner(ctx, producer, HANDLERS, SqlUnit.of, name=name)


def unit_in(ctx: DisputeContext, session: AsyncSession) -> SqlUnit:
    """The consumer's unit over a transaction the caller holds: an API request changes disputes through it, and a
    test or a seeder applies an event as the consumer would with `HANDLERS.dispatch(event, unit_in(ctx, s))`
    (what it parks is the consumer's, and replays through the table)."""
    lot = ParkingLot(ctx.tables.parked_events, ctx.settings.service_name)
    units: list[SqlUnit] = []

    async def replay(event: Event[Payload]) -> None:
        await HANDLERS.dispatch(event, units[0])

    units.append(SqlUnit.of(session, UnitParts(ctx.outbox, ctx.audit, Parking(lot, session, replay))))
    return units[0]
