"""The unit of work of accounting-svc: its repositories over one transaction's session, beside the outbox, the
audit trail and the parking lot every service has (app.ports.AccountingUnit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.calendar_repository import ChartRepository, PeriodRepository
from accounting_svc.adapters.journal_repository import JournalRepository
from accounting_svc.adapters.read_models import InvoiceRepository, PaymentRepository, ProductReadModel
from mediabill_common.consumer import Unit, UnitParts
from mediabill_common.events.catalog import Payload


class SqlUnit(Unit):
    def __init__(self, session: AsyncSession, parts: UnitParts, *, ledger_zone: ZoneInfo) -> None:
        super().__init__(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)
        self.products = ProductReadModel(session)
        self.invoices = InvoiceRepository(session)
        self.payments = PaymentRepository(session)
        self.journal = JournalRepository(session)
        self.periods = PeriodRepository(session)
        self.chart = ChartRepository(session)
        self.ledger_zone = ledger_zone

    @classmethod
    def factory(cls, ledger_zone: ZoneInfo) -> Callable[[AsyncSession, UnitParts], SqlUnit]:
        """The unit of a consumer transaction (consumer_runner's `unit_of`) in the configured ledger time zone."""
        return lambda session, parts: cls(session, parts, ledger_zone=ledger_zone)

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload) -> None:
        await self.outbox.publish(self.session, event_type, key=key, subject=subject, data=data)

    async def publish_many(self, event_type: str, events: list[tuple[str, str, Payload]]) -> None:
        await self.outbox.add_many(self.session, [
            (self.outbox.envelope(event_type, subject=subject, data=data), key) for key, subject, data in events])

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        await self.audit.record(self.session, actor=actor, action=action, entity_type=entity_type,
                                entity_id=entity_id, reason=reason, before=before, after=after)
