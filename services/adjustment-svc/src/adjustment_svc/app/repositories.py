"""The repositories a use case works with, all on one session (one transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.adjustment_repository import AdjustmentRepository
from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.adapters.memo_repository import MemoRepository
from adjustment_svc.adapters.policy_repository import PolicyRepository


@dataclass(frozen=True)
class Repositories:
    invoices: InvoiceReadModel
    adjustments: AdjustmentRepository
    memos: MemoRepository
    policy: PolicyRepository

    @classmethod
    def on(cls, session: AsyncSession) -> Repositories:
        return cls(InvoiceReadModel(session), AdjustmentRepository(session), MemoRepository(session),
                   PolicyRepository(session))
