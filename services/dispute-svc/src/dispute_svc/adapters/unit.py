"""dispute-svc's unit of work: its repositories over one transaction's session, beside the outbox, the audit trail
and the parking lot every consumer has (mediabill_common.consumer.Unit). Implements app.ports.DisputeUnit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.config_repository import ConfigRepository
from dispute_svc.adapters.dispute_repository import DisputeRepository
from dispute_svc.adapters.invoice_repository import InvoiceRepository
from dispute_svc.adapters.sla_policy_repository import SlaPolicyRepository
from mediabill_common.consumer import Unit, UnitParts
from mediabill_common.events.catalog import Payload


class SqlUnit(Unit):
    def __init__(self, session: AsyncSession, parts: UnitParts) -> None:
        super().__init__(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)
        self.invoices = InvoiceRepository(session)
        self.disputes = DisputeRepository(session)
        self.config = ConfigRepository(session)
        self.sla_policy = SlaPolicyRepository(session)

    @classmethod
    def of(cls, session: AsyncSession, parts: UnitParts) -> SqlUnit:
        """The unit of a consumer transaction (consumer_runner's `unit_of`)."""
        return cls(session, parts)

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload,
                      causationid: str | None = None) -> None:
        await self.outbox.publish(self.session, event_type, key=key, subject=subject, data=data,
                                  causationid=causationid)

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        await self.audit.record(self.session, actor=actor, action=action, entity_type=entity_type,
                                entity_id=entity_id, reason=reason, before=before, after=after)
