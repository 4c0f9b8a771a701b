"""accounting-svc's consumer: the handler table (app/handlers) run by common's consumer runner over SqlUnit."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.dead_letter_log import DeadLetterLog
from accounting_svc.adapters.unit import SqlUnit
from accounting_svc.app.handlers import HANDLERS
from accounting_svc.context import AccountingContext
from mediabill_common.consumer import ConsumerRunner, Event, Parking, ParkingLot, UnitParts, consumer_runner
from mediabill_common.events.catalog import Payload

TOPICS: list[str] = HANDLERS.topics()


def make_runner(ctx: AccountingContext, producer: AIOKafkaProducer, *, name: str | None = None) -> ConsumerRunner:
    """The consumer; what it dead-letters is also recorded for the close checklist (C10)."""
    log = DeadLetterLog(ctx.sessions, name or ctx.settings.service_name)
    return consumer_runner(ctx, producer, HANDLERS, SqlUnit.factory(ZoneInfo(ctx.settings.ledger_timezone)),
                           name=name, on_dead_letter=log.record)


def unit_in(ctx: AccountingContext, session: AsyncSession) -> SqlUnit:
    """The consumer's unit over a transaction the caller holds: an API request posts through it, and a test or a
    seeder applies an event as the consumer would with `HANDLERS.dispatch(event, unit_in(ctx, s))` (what it parks
    is the consumer's, and replays through the table)."""
    lot = ParkingLot(ctx.tables.parked_events, ctx.settings.service_name)
    units: list[SqlUnit] = []

    async def replay(event: Event[Payload]) -> None:
        await HANDLERS.dispatch(event, units[0])

    parts = UnitParts(ctx.outbox, ctx.audit, Parking(lot, session, replay))
    units.append(SqlUnit(session, parts, ledger_zone=ZoneInfo(ctx.settings.ledger_timezone)))
    return units[0]
