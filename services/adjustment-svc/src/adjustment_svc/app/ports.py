"""Ports of adjustment-svc's handlers and use cases: what they need from storage and from the transaction, as
Protocols, and the rows they read.

Adapters implement them over one session (adapters/unit.py builds the unit of a transaction); unit tests hand in
in-memory fakes.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from adjustment_svc.domain.adjustment import AdjustmentRequest, GivenApproval, InvoiceView
from adjustment_svc.domain.approval import ApprovalLimits
from adjustment_svc.domain.approval_basis import AccountWindow, RequestedBefore
from adjustment_svc.domain.dispute_credit import DisputedAmount
from adjustment_svc.domain.headroom import LineExposure
from adjustment_svc.domain.memo_lines import MemoLineDraft
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeOpened, InvoiceIssued, Payload
from mediabill_common.events.config_state import AccountState
from mediabill_common.money import Money
from mediabill_common.trends import TrendCell


@dataclass(frozen=True)
class DisputeView:
    """A dispute as billing.disputes.v1 told it: its status and the amounts it holds per line."""

    dispute_id: str
    invoice_id: str
    status: str
    reason_code: str
    lines: list[DisputedAmount]


@dataclass(frozen=True)
class MemoRecord:
    """An issued credit or debit memo as stored (the CreditMemoIssued / DebitMemoIssued payload's fields)."""

    memo_id: str
    memo_number: str
    adjustment_id: str
    kind: str
    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    dispute_id: str | None
    total: Money
    reason_code: str
    requested_by: str
    approved_by: list[str]
    lines: list[dict[str, Any]]
    issued_at: datetime

    @property
    def currency(self) -> str:
        return self.total.currency


@dataclass(frozen=True)
class AccountView:
    """A billing account as product-config-svc last described it."""

    account_id: str
    legal_name: str
    state_version: int
    state: dict[str, Any]  # the whole state, fields this service does not use yet included


@dataclass(frozen=True)
class MemoLineRef:
    """The invoice line a memo line adjusts, as the customer's invoice printed it."""

    line_no: int  # 1-based, in the invoice's order
    kind: str
    description: str


@dataclass(frozen=True)
class MemoFacts:
    """What a memo's document prints beside the memo itself, read when it is issued: the bill-to (from the account
    read model) and the invoice it adjusts (IO, PO and its lines, from billing.invoices.v1)."""

    bill_to_name: str
    bill_to_address: str | None
    bill_to_tax_registration_id: str | None
    contract_id: str | None
    po_number: str | None
    lines: dict[str, MemoLineRef]  # by invoice_line_id


@dataclass(frozen=True)
class StoredMemoDocument:
    memo_id: str
    sha256: str
    pdf: bytes


@dataclass(frozen=True)
class MemoTotals:
    currency: str
    reason_code: str
    kind: str
    value: Decimal
    count: int


@dataclass(frozen=True)
class Decision:
    requested_at: datetime
    decided_at: datetime
    status: str
    approval_level: str


class Invoices(Protocol):
    """The read model of issued invoices and their disputes (billing.invoices.v1, billing.disputes.v1)."""

    async def record_issued(self, inv: InvoiceIssued) -> bool:
        """Store an issued invoice; False when it was already known (a redelivery)."""
        ...

    async def exists(self, invoice_id: str) -> bool: ...

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceView | None:
        """The invoice with its lines; `for_update` serialises headroom checks and memos on one invoice."""
        ...

    async def mark_void(self, invoice_id: str, voided_at: datetime) -> None: ...

    async def apply_memo(self, invoice_id: str, kind: str, lines: tuple[MemoLineDraft, ...]) -> None:
        """Add an issued memo's lines to what each invoice line has been credited or debited."""
        ...

    async def exposures(self, invoice: InvoiceView, *, excluding_dispute: str | None,
                        excluding_adjustment: str | None = None) -> dict[str, LineExposure]:
        """Per line: amount, credited, pending credit requests and amounts under open disputes (rule 18), leaving
        out the dispute the checked request settles and, when re-checking a pending request, that request."""
        ...

    async def requested_before(self, invoice: InvoiceView, *, kind: str, window: AccountWindow,
                               period: str) -> RequestedBefore:
        """What was requested of `kind` in the invoice's currency and not rejected (pending or approved): on the
        invoice, and for its bill-to account in `period` of `window` (rule 22 on cumulative amounts). Holds the
        bill-to account for the rest of the transaction first, so two requests for one account (on one invoice or
        several) are judged one after the other and cannot both pass on the same figures."""
        ...

    async def record_dispute_opened(self, d: DisputeOpened) -> bool: ...

    async def get_dispute(self, dispute_id: str) -> DisputeView | None: ...

    async def set_dispute_status(self, dispute_id: str, status: str, outcome: str | None = None) -> None: ...


class Adjustments(Protocol):
    """Adjustment requests, their lines and approvals."""

    async def add(self, adj: AdjustmentRequest) -> None: ...

    async def get(self, adjustment_id: str, *, for_update: bool = False) -> AdjustmentRequest | None:
        """The request; `for_update` locks it so that two approvals racing for one slot serialise."""
        ...

    async def live_for_dispute(self, dispute_id: str) -> str | None:
        """The id of the dispute's credit request that was not rejected, if any."""
        ...

    async def add_approval(self, adjustment_id: str, approval: GivenApproval) -> None: ...

    async def mark_approved(self, adjustment_id: str, *, decided_at: datetime, memo_id: str) -> None: ...

    async def mark_rejected(self, adjustment_id: str, *, decided_at: datetime, by: str, reason: str,
                            root_cause: str | None = None) -> None: ...

    async def record_root_cause(self, adjustment_id: str, root_cause: str) -> None:
        """A checker names (or corrects) why the adjustment was needed (oversight.md O4)."""
        ...


class Memos(Protocol):
    """Issued memos and their gapless numbering."""

    async def next_number(self, series: str, year: int) -> int:
        """The next number of (series, year), taken in the unit's transaction (given back if it rolls back)."""
        ...

    async def add(self, memo: MemoRecord) -> None: ...


class MemoDocuments(Protocol):
    """Issued memos' PDFs: rendered once, when the memo is issued, stored with their SHA-256, never changed."""

    async def keep(self, memo: MemoRecord, facts: MemoFacts) -> StoredMemoDocument:
        """Render the memo's document and store it (unless stored already); the stored one."""
        ...

    async def get(self, memo_id: str) -> StoredMemoDocument | None: ...


class ApprovalPolicy(Protocol):
    """The approval limits per currency (rule 22), versioned for ETag / If-Match."""

    async def current(self, *, for_update: bool = False) -> tuple[dict[str, ApprovalLimits], int]:
        """Every currency's limits and the policy version."""
        ...

    async def limits_for(self, currency: str) -> ApprovalLimits | None: ...

    @property
    def account_window(self) -> AccountWindow:
        """Over which period a bill-to account's requests are summed (setting APPROVAL_ACCOUNT_WINDOW)."""
        ...

    async def replace(self, limits: dict[str, ApprovalLimits], *, by: str) -> int:
        """Replace the whole policy; the new version. Call with the policy locked (`current(for_update=True)`)."""
        ...


class Accounts(Protocol):
    """The read model of billing accounts (billing.config.v1, event-carried state)."""

    async def keep_newer(self, account: AccountState, state_version: int) -> bool:
        """Store the account unless the state held is as new or newer (events may arrive out of order or twice);
        True when stored."""
        ...

    async def get(self, account_id: str) -> AccountView | None: ...


class KpiFigures(Protocol):
    """The raw figures behind the adjustment KPIs."""

    async def memo_totals(self, start: datetime, end: datetime) -> list[MemoTotals]:
        """Memo value and count per (currency, reason, kind) for memos issued in [start, end)."""
        ...

    async def decisions(self, start: datetime, end: datetime) -> list[Decision]:
        """Requests finally approved or rejected in [start, end)."""
        ...

    async def pending_requested_at(self) -> list[datetime]: ...


class TrendFigures(Protocol):
    """The raw figures behind GET /v1/trends (oversight.md O4)."""

    async def trend_cells(self, start: datetime, end: datetime, by: str,
                          bill_to_account_id: str | None) -> list[TrendCell]:
        """Requests raised in [start, end) and not rejected, per (group, month raised, currency)."""
        ...

    async def billed_by_month(self, date_from: date, date_to: date,
                              bill_to_account_id: str | None) -> dict[tuple[str, str], Decimal]:
        """Invoice totals issued from date_from to date_to inclusive, per (month of issue, currency)."""
        ...


class Parking(Protocol):
    """Events about something not seen yet (mediabill_common.consumer.Parking implements it)."""

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None:
        """Keep `event` until `waiting_for` shows up."""
        ...

    async def replay(self, waiting_for: str) -> int:
        """Apply, through the handler table and in arrival order, what waited for `waiting_for`; how many."""
        ...


class AdjustmentUnit(Protocol):
    """One transaction of adjustment-svc (a consumed event, an API request): the repositories bound to it, its
    outbox, audit trail and parking lot. Handlers and use cases never commit; the unit's owner does."""

    @property
    def invoices(self) -> Invoices: ...

    @property
    def adjustments(self) -> Adjustments: ...

    @property
    def memos(self) -> Memos: ...

    @property
    def policy(self) -> ApprovalPolicy: ...

    @property
    def accounts(self) -> Accounts: ...

    @property
    def memo_documents(self) -> MemoDocuments: ...

    @property
    def parking(self) -> Parking: ...

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload) -> None:
        """Queue a catalogued event in the outbox: published once (and only if) the transaction commits."""
        ...

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        """Append an audit entry that exists exactly when the change does."""
        ...

    def savepoint(self) -> AbstractAsyncContextManager[object]:
        """A nested transaction: what the block wrote is undone when it raises, the rest of the unit is kept."""
        ...
