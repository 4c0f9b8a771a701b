"""The unit of work of one consumer transaction: the invoiced-periods read model over the transaction's session,
beside the outbox, audit trail and parking lot every service's unit has."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.audit import AuditTrail
from mediabill_common.consumer import Parking, Unit, UnitParts
from mediabill_common.outbox.writer import OutboxWriter
from product_config_svc.adapters.repositories import InvoicedPeriodRepository


class SqlUnit(Unit):
    """Implements app.ports.InvoicedPeriodsUnit."""

    def __init__(self, session: AsyncSession, *, outbox: OutboxWriter, audit: AuditTrail, parking: Parking) -> None:
        super().__init__(session, outbox=outbox, audit=audit, parking=parking)
        self.invoiced = InvoicedPeriodRepository(session)

    @classmethod
    def of(cls, session: AsyncSession, parts: UnitParts) -> SqlUnit:
        """The unit of one transaction (what consumer_runner calls per transaction)."""
        return cls(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)
