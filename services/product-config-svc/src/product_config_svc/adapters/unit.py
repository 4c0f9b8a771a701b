"""The units of work, bound to one transaction's session: a consumer transaction's (the invoiced-periods read model
beside the outbox, audit trail and parking lot every service's unit has) and an API change's (the repositories and
the change log)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.audit import AuditTrail
from mediabill_common.consumer import Parking, Unit, UnitParts
from mediabill_common.outbox.writer import OutboxWriter
from product_config_svc.adapters.change_log import OutboxChangeLog
from product_config_svc.adapters.repositories import (
    AccountRepository,
    ContractRepository,
    DeliverySourceRepository,
    InvoicedPeriodRepository,
    ProductRepository,
)
from product_config_svc.app.ports import ConfigUnit


class SqlUnit(Unit):
    """Implements app.ports.InvoicedPeriodsUnit."""

    def __init__(self, session: AsyncSession, *, outbox: OutboxWriter, audit: AuditTrail, parking: Parking) -> None:
        super().__init__(session, outbox=outbox, audit=audit, parking=parking)
        self.invoiced = InvoicedPeriodRepository(session)

    @classmethod
    def of(cls, session: AsyncSession, parts: UnitParts) -> SqlUnit:
        """The unit of one transaction (what consumer_runner calls per transaction)."""
        return cls(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)


def config_unit(session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail, actor: str) -> ConfigUnit:
    """The repositories and change log of one request, bound to `session`."""
    return ConfigUnit(products=ProductRepository(session), accounts=AccountRepository(session),
                      contracts=ContractRepository(session), invoiced=InvoicedPeriodRepository(session),
                      delivery_sources=DeliverySourceRepository(session),
                      changes=OutboxChangeLog(session, outbox, audit, actor), actor=actor)
