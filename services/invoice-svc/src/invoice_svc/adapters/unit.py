"""invoice-svc's unit of work: its repositories over one transaction's session, beside the outbox, audit trail and
parking every consumer's unit has (mediabill_common.consumer.Unit). The consumer's runner builds one per
transaction (`SqlUnits.of`); bill runs and the API build theirs over their own session (`SqlUnits.over`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.assurance_repository import AssuranceRepository
from invoice_svc.adapters.bill_run_repository import BillRunRepository
from invoice_svc.adapters.bill_run_snapshot_repository import SnapshotRepository
from invoice_svc.adapters.close_repository import PeriodLockRepository
from invoice_svc.adapters.config_repository import ConfigRepository, ParsedStates
from invoice_svc.adapters.copy import copy_connection
from invoice_svc.adapters.crosswalk_repository import CrosswalkRepository
from invoice_svc.adapters.document_repository import DocumentRepository
from invoice_svc.adapters.exception_repository import ExceptionRepository
from invoice_svc.adapters.invoice_repository import InvoiceRepository
from invoice_svc.adapters.ledger_repository import LedgerRepository
from invoice_svc.adapters.receivables_repository import BALANCES_PARKING, ReceivablesRepository
from invoice_svc.adapters.schedule_repository import ScheduleRepository
from invoice_svc.adapters.statement_repository import StatementRepository
from invoice_svc.app.handlers import HANDLERS
from mediabill_common.audit import AuditTrail
from mediabill_common.consumer import Event, Parking, ParkingLot, Unit, UnitParts
from mediabill_common.events.catalog import EVENT_TYPES, Payload
from mediabill_common.events.envelope import Envelope, new_envelope
from mediabill_common.logging import correlation_id_var
from mediabill_common.outbox.writer import OutboxWriter, notify_channel

if TYPE_CHECKING:
    from mediabill_common.service import ServiceContext

_NOTIFY = text("SELECT pg_notify(:c, '')")


class SqlUnit(Unit):
    """The unit of one transaction (`InvoiceUnit`).

    Balance events wait for their invoice under one parking name whichever consumer parked them, because the bill
    run that issues the invoice replays them (outside any consumer); they are replayed through the service's
    handler table like a consumed event. So the unit parks in a lot of that name rather than the runner's own.
    """

    def __init__(self, session: AsyncSession, *, outbox: OutboxWriter, audit: AuditTrail, parked_events: Table,
                 outbox_table: Table, source: str, config_states: ParsedStates) -> None:
        parking = Parking(ParkingLot(parked_events, BALANCES_PARKING), session, self._replay)
        super().__init__(session, outbox=outbox, audit=audit, parking=parking)
        self.ledger = LedgerRepository(session)
        self.config = ConfigRepository(session, config_states)
        self.crosswalks = CrosswalkRepository(session)
        self.exceptions = ExceptionRepository(session)
        self.receivables = ReceivablesRepository(session)
        self.invoices = InvoiceRepository(session)
        self.bill_runs = BillRunRepository(session)
        self.snapshot = SnapshotRepository(session)
        self.documents = DocumentRepository(session)
        self.periods = PeriodLockRepository(session)
        self.statements = StatementRepository(session)
        self.schedule = ScheduleRepository(session)
        self.assurance = AssuranceRepository(session)
        self._outbox_table = outbox_table
        self._source = source

    async def _replay(self, event: Event[Payload]) -> None:
        await HANDLERS.dispatch(event, self)

    def envelope(self, event_type: str, *, subject: str, data: Payload | dict[str, Any],
                 causationid: str | None = None) -> Envelope:
        return self.outbox.envelope(event_type, subject=subject, data=data, causationid=causationid)

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload | dict[str, Any],
                      causationid: str | None = None) -> Envelope:
        return await self.outbox.publish(self.session, event_type, key=key, subject=subject, data=data,
                                         causationid=causationid)

    async def publish_all(self, events: Sequence[tuple[str, Envelope]]) -> None:
        """Queue many catalogued envelopes with one COPY and one NOTIFY -- what `publish` does one row at a time,
        for bill runs of 100,000 invoices."""
        if not events:
            return
        records = [(EVENT_TYPES[env.type].topic, key, env.id, env.type, env.model_dump_json(exclude_none=True))
                   for key, env in events]
        driver = await copy_connection(self.session)
        table = self._outbox_table
        await driver.copy_records_to_table(table.name, schema_name=table.schema, records=records,
                                           columns=["topic", "key", "event_id", "event_type", "envelope"])
        await self.session.execute(_NOTIFY, {"c": notify_channel(table.schema or "public")})

    def wire_envelope(self, event_type: str, *, subject: str, data: dict[str, Any],
                      event_id: str | None = None) -> Envelope:
        return new_envelope(type=event_type, source=self._source, subject=subject, data=data,
                            correlationid=correlation_id_var.get(), id=event_id)

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        await self.audit.record(self.session, actor=actor, action=action, entity_type=entity_type,
                                entity_id=entity_id, reason=reason, before=before, after=after)


class SqlUnits:
    """Builds units over one service context; the units of one `SqlUnits` share its memo of parsed config states."""

    def __init__(self, ctx: ServiceContext[Any, Any]) -> None:
        self._ctx = ctx
        self._config_states = ParsedStates()

    def of(self, session: AsyncSession, parts: UnitParts) -> SqlUnit:
        """A consumer transaction's unit (`consumer_runner`'s unit factory)."""
        return self._unit(session, parts.outbox, parts.audit)

    def over(self, session: AsyncSession) -> SqlUnit:
        """A unit over a session outside the consumer (bill runs, API requests)."""
        return self._unit(session, self._ctx.outbox, self._ctx.audit)

    def _unit(self, session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail) -> SqlUnit:
        return SqlUnit(session, outbox=outbox, audit=audit, parked_events=self._ctx.tables.parked_events,
                       outbox_table=self._ctx.tables.outbox, source=self._ctx.source,
                       config_states=self._config_states)
