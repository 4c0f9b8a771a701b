"""The adjustment request aggregate as the approval flow sees it, and the invoice it adjusts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from adjustment_svc.domain.approval import Approval, ApprovalLevel, approvals_still_needed
from adjustment_svc.domain.memo_lines import InvoiceLineView, MemoLineDraft
from mediabill_common.money import Money

PENDING, APPROVED, REJECTED = "pending_approval", "approved", "rejected"


@dataclass(frozen=True)
class GivenApproval:
    approver: str
    roles: frozenset[str]
    approved_at: datetime
    comment: str | None = None

    def as_approval(self) -> Approval:
        return Approval(self.approver, self.roles)


@dataclass(frozen=True)
class AdjustmentRequest:
    adjustment_id: str
    invoice_id: str
    kind: str
    status: str
    reason_code: str
    dispute_id: str | None
    note: str
    attachments: tuple[str, ...]
    total: Money
    approval_level: ApprovalLevel
    requested_by: str
    requested_at: datetime
    lines: tuple[MemoLineDraft, ...]
    approvals: tuple[GivenApproval, ...] = ()
    decided_at: datetime | None = None
    rejected_by: str | None = None
    rejection_reason: str | None = None
    memo_id: str | None = None
    version: int = 1
    # Why `approval_level` (ApprovalBasis.as_record); None for requests judged before cumulative limits.
    approval_basis: Mapping[str, str] | None = None
    # Why it was needed (oversight.md O4): given by the requester or a checker; a dispute's credit inherits the
    # dispute's cause.
    root_cause: str | None = None
    # The billing exception (oversight.md O3: an invoice_drift of invoice-svc) whose correction it turns into a
    # memo; stored and shown as given (adjustment-svc does not consume billing exceptions).
    source_exception_id: str | None = None

    @property
    def currency(self) -> str:
        return self.total.currency

    def approvals_still_needed(self) -> list[str]:
        """Roles whose approval is missing; empty once decided."""
        if self.status != PENDING:
            return []
        return approvals_still_needed(self.approval_level, [a.as_approval() for a in self.approvals])


@dataclass(frozen=True)
class InvoiceView:
    """An issued invoice as adjustment-svc knows it from billing.invoices.v1."""

    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    account_id: str
    currency: str
    issue_date: date
    status: str  # issued | void
    total: Decimal
    period: str  # the billing period YYYY-MM
    contract_id: str | None = None  # the IO; None for self-serve
    po_number: str | None = None
    lines: list[InvoiceLineView] = field(default_factory=list)
    credited: dict[str, Decimal] = field(default_factory=dict)
    debited: dict[str, Decimal] = field(default_factory=dict)
