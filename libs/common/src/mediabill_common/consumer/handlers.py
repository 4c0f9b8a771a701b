"""One handler contract for every consumer.

A handler reacts to one event type and is named for its reaction; it takes the event and the unit of work of the
transaction it runs in, and never commits:

    async def when_dispute_opened_hold_invoice(event: Event[DisputeOpened], unit: InvoiceUnit) -> None: ...

A service registers its handlers in one `HandlerTable` (event type -> handler); the table derives the topics to
consume from the event catalog, and `consumer_runner` builds the service's ConsumerRunner from it. The unit of work
is the service's own subclass of `Unit` (its typed repositories over the transaction's session, beside the outbox,
the audit trail and the parking lot every service has), built per transaction by the `unit_of` the service passes.

Park-and-replay lives here too: a handler that meets an event about something not seen yet parks it
(`unit.parking.park(event, waiting_for=...)`), and the handler of the thing that arrives replays what waited for it
(`await unit.parking.replay(key)`), through the same table, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.audit import AuditTrail
from mediabill_common.consumer.decode import Received
from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.consumer.runner import ConsumerRunner, DeadLetterHook
from mediabill_common.events.catalog import EVENT_TYPES, TOPIC_PARTITIONS, Payload, parse_payload
from mediabill_common.events.envelope import Envelope
from mediabill_common.outbox.writer import OutboxWriter

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

    from mediabill_common.service import ServiceContext

P = TypeVar("P", bound=Payload, covariant=True)
# The unit a service's handlers see: unbound, so that it can be the Protocol in the service's app/ports.py (which
# its Unit subclass in adapters/ implements) rather than the concrete class.
U = TypeVar("U")


@dataclass(frozen=True)
class Event(Generic[P]):
    """An event as a handler sees it: the CloudEvents envelope and the payload validated against the catalog."""

    envelope: Envelope
    payload: P

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type

    @classmethod
    def of(cls, envelope: Envelope) -> Event[Payload]:
        """The event of a stored envelope (a parked one), its payload validated again."""
        return Event(envelope, parse_payload(envelope.type, envelope.data))


class Parking:
    """Events about something not seen yet, kept in the transaction's session until it arrives."""

    def __init__(self, lot: ParkingLot, session: AsyncSession,
                 dispatch: Callable[[Event[Payload]], Awaitable[None]]) -> None:
        self._lot = lot
        self._session = session
        self._dispatch = dispatch

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None:
        """Keep `event` until `waiting_for` (e.g. an invoice id) shows up."""
        await self._lot.park(self._session, event.envelope, waiting_for=waiting_for)

    async def release(self, waiting_for: str) -> list[Event[Payload]]:
        """Remove and return, in arrival order, what waited for `waiting_for` (for a handler that applies it
        itself rather than through the table)."""
        return [Event.of(envelope) for envelope in await self._lot.release(self._session, waiting_for)]

    async def replay(self, waiting_for: str) -> int:
        """Apply, through the handler table and in arrival order, what waited for `waiting_for`; how many."""
        released = await self.release(waiting_for)
        for event in released:
            await self._dispatch(event)
        return len(released)

    async def replay_many(self, keys: list[str]) -> int:
        """`replay` for many keys with one read of the lot: what waited for each, in arrival order; how many."""
        released = await self._lot.release_many(self._session, keys)
        for _, envelope in released:
            await self._dispatch(Event.of(envelope))
        return len(released)


class Unit:
    """The unit of work of one consumer transaction. Services subclass it to add their typed repositories, built
    over `session`; the transaction is the runner's (begun before the handler, committed after it)."""

    def __init__(self, session: AsyncSession, *, outbox: OutboxWriter, audit: AuditTrail, parking: Parking) -> None:
        self.session = session
        self.outbox = outbox
        self.audit = audit
        self.parking = parking


Handler = Callable[[Event[Any], U], Awaitable[None]]
BatchHandler = Callable[[list[Event[Any]], U], Awaitable[None]]
# What a service passes to build its unit: the transaction's session and the common parts of a unit.
UnitFactory = Callable[[AsyncSession, "UnitParts"], U]


@dataclass(frozen=True)
class UnitParts:
    """The parts of a unit that every service has, for the service's unit factory to pass to `Unit.__init__`."""

    outbox: OutboxWriter
    audit: AuditTrail
    parking: Parking


@dataclass(frozen=True)
class HandlerTable(Generic[U]):
    """A service's event handlers: event type -> handler, and the types handled a whole batch at a time."""

    handlers: Mapping[str, Handler[U]]
    batch_handlers: Mapping[str, BatchHandler[U]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted((set(self.handlers) | set(self.batch_handlers)) - set(EVENT_TYPES))
        if unknown:
            raise ValueError(f"handlers for event types the catalog does not know: {unknown}")
        both = sorted(set(self.handlers) & set(self.batch_handlers))
        if both:
            raise ValueError(f"event types with both a handler and a batch handler: {both}")

    def topics(self) -> list[str]:
        """The topics carrying the handled types, in the catalog's order."""
        types = set(self.handlers) | set(self.batch_handlers)
        return [topic for topic in TOPIC_PARTITIONS if any(EVENT_TYPES[t].topic == topic for t in types)]

    async def dispatch(self, event: Event[Payload], unit: U) -> None:
        """Apply one event (a replayed one, too) with its handler."""
        handler = self.handlers.get(event.type)
        if handler is not None:
            await handler(event, unit)
            return
        batch_handler = self.batch_handlers.get(event.type)
        if batch_handler is None:
            raise LookupError(f"no handler for {event.type}")
        await batch_handler([event], unit)


def unit_builder(ctx: ServiceContext[Any, Any], table: HandlerTable[U], unit_of: UnitFactory[U], *,
                 name: str | None = None) -> Callable[[AsyncSession], U]:
    """Builds the consumer's unit over a transaction the caller holds: the runner's, or an API request's or a
    test's that applies an event as the consumer would (`table.dispatch(event, build(session))`). What such a unit
    parks is the consumer's `name`'s, and replays through `table`."""
    lot = ParkingLot(ctx.tables.parked_events, name or ctx.settings.service_name)

    def build(session: AsyncSession) -> U:
        holder: list[U] = []

        async def dispatch(event: Event[Payload]) -> None:
            await table.dispatch(event, holder[0])

        holder.append(unit_of(session, UnitParts(ctx.outbox, ctx.audit, Parking(lot, session, dispatch))))
        return holder[0]

    return build


def consumer_runner(ctx: ServiceContext[Any, Any], producer: AIOKafkaProducer, table: HandlerTable[U],
                    unit_of: UnitFactory[U], *, name: str | None = None,
                    on_dead_letter: DeadLetterHook | None = None) -> ConsumerRunner:
    """The service's ConsumerRunner: each transaction gets a unit from `unit_of`, each event its table handler;
    `on_dead_letter` is told of each record it dead-letters."""
    consumer = name or ctx.settings.service_name
    unit_for = unit_builder(ctx, table, unit_of, name=consumer)

    def single(handler: Handler[U]) -> Callable[[AsyncSession, Received], Awaitable[None]]:
        async def handle(session: AsyncSession, received: Received) -> None:
            await handler(Event(received.envelope, received.payload), unit_for(session))

        handle.__name__ = getattr(handler, "__name__", "handle")
        return handle

    def batch(handler: BatchHandler[U]) -> Callable[[AsyncSession, list[Received]], Awaitable[None]]:
        async def handle(session: AsyncSession, received: list[Received]) -> None:
            await handler([Event(r.envelope, r.payload) for r in received], unit_for(session))

        handle.__name__ = getattr(handler, "__name__", "handle")
        return handle

    return ConsumerRunner(
        name=consumer, session_factory=ctx.sessions, inbox=ctx.tables.inbox,
        handlers={t: single(h) for t, h in table.handlers.items()},
        batch_handlers={t: batch(h) for t, h in table.batch_handlers.items()},
        producer=producer, max_attempts=ctx.settings.consumer_max_attempts, sources=ctx.trusted_sources,
        on_dead_letter=on_dead_letter)
