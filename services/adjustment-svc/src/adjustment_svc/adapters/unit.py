"""The unit of work of adjustment-svc: its repositories over one transaction's session, beside the outbox, the audit
trail and the parking lot every service has (app.ports.AdjustmentUnit)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.account_repository import AccountReadModel
from adjustment_svc.adapters.adjustment_repository import AdjustmentRepository
from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.adapters.memo_document import MemoDocumentArchive
from adjustment_svc.adapters.memo_repository import MemoRepository
from adjustment_svc.adapters.policy_repository import PolicyRepository
from adjustment_svc.domain.approval_basis import AccountWindow
from mediabill_common.consumer import Unit, UnitParts
from mediabill_common.events.catalog import Payload


class SqlUnit(Unit):
    def __init__(self, session: AsyncSession, parts: UnitParts, *, account_window: AccountWindow) -> None:
        super().__init__(session, outbox=parts.outbox, audit=parts.audit, parking=parts.parking)
        self.invoices = InvoiceReadModel(session)
        self.adjustments = AdjustmentRepository(session)
        self.memos = MemoRepository(session)
        self.policy = PolicyRepository(session, account_window)
        self.accounts = AccountReadModel(session)
        self.memo_documents = MemoDocumentArchive(session)

    @classmethod
    def factory(cls, account_window: AccountWindow) -> Callable[[AsyncSession, UnitParts], SqlUnit]:
        """The unit of a consumer transaction (consumer_runner's `unit_of`), with the service's settings."""
        return lambda session, parts: cls(session, parts, account_window=account_window)

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload) -> None:
        await self.outbox.publish(self.session, event_type, key=key, subject=subject, data=data)

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        await self.audit.record(self.session, actor=actor, action=action, entity_type=entity_type,
                                entity_id=entity_id, reason=reason, before=before, after=after)

    def savepoint(self) -> AbstractAsyncContextManager[object]:
        return self.session.begin_nested()
