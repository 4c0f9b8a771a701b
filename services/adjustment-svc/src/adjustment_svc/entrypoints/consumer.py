"""adjustment-svc's consumer: the handler table (app/handlers) run by common's consumer runner over SqlUnit."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.unit import SqlUnit
from adjustment_svc.app.handlers import HANDLERS
from adjustment_svc.context import AdjustmentContext
from mediabill_common.consumer import ConsumerRunner, Event, Parking, ParkingLot, UnitParts, consumer_runner
from mediabill_common.events.catalog import Payload

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: AdjustmentContext, producer: AIOKafkaProducer, *,
                name: str | None = None) -> ConsumerRunner:
    return consumer_runner(ctx, producer, HANDLERS, SqlUnit.factory(ctx.settings.approval_account_window),
                           name=name)


def unit_in(ctx: AdjustmentContext, session: AsyncSession) -> SqlUnit:
    """The consumer's unit over a transaction the caller holds: an API request changes adjustments through it, and
    a test or a seeder applies an event as the consumer would with `HANDLERS.dispatch(event, unit_in(ctx, s))`
    (what it parks is the consumer's, and replays through the table)."""
    lot = ParkingLot(ctx.tables.parked_events, ctx.settings.service_name)
    units: list[SqlUnit] = []

    async def replay(event: Event[Payload]) -> None:
        await HANDLERS.dispatch(event, units[0])

    parts = UnitParts(ctx.outbox, ctx.audit, Parking(lot, session, replay))
    units.append(SqlUnit(session, parts, account_window=ctx.settings.approval_account_window))
    return units[0]
