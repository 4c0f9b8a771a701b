"""In-memory fakes of app.ports, for handler and use-case unit tests: what SqlUnit's repositories store, kept in
dicts, and a parking lot that replays through the real HANDLERS."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from adjustment_svc.app.handlers import HANDLERS
from adjustment_svc.app.ports import (
    AccountView,
    AdjustmentUnit,
    DisputeView,
    MemoFacts,
    MemoRecord,
    StoredMemoDocument,
)
from adjustment_svc.domain.adjustment import APPROVED, PENDING, REJECTED, AdjustmentRequest, GivenApproval, InvoiceView
from adjustment_svc.domain.approval import DEFAULT_LIMITS, ApprovalLimits
from adjustment_svc.domain.approval_basis import AccountWindow, RequestedBefore
from adjustment_svc.domain.dispute_credit import DisputedAmount
from adjustment_svc.domain.headroom import LineExposure
from adjustment_svc.domain.memo_lines import InvoiceLineView, MemoLineDraft
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeOpened, InvoiceIssued, Payload
from mediabill_common.events.config_state import AccountState
from mediabill_common.money import Money

ZERO = Decimal(0)


@dataclass
class FakeAdjustments:
    requests: dict[str, AdjustmentRequest] = field(default_factory=dict)

    async def add(self, adj: AdjustmentRequest) -> None:
        self.requests[adj.adjustment_id] = adj

    async def get(self, adjustment_id: str, *, for_update: bool = False) -> AdjustmentRequest | None:
        return self.requests.get(adjustment_id)

    async def live_for_dispute(self, dispute_id: str) -> str | None:
        return next((a.adjustment_id for a in self.requests.values()
                     if a.dispute_id == dispute_id and a.status != REJECTED), None)

    async def add_approval(self, adjustment_id: str, approval: GivenApproval) -> None:
        adj = self.requests[adjustment_id]
        self.requests[adjustment_id] = replace(adj, approvals=(*adj.approvals, approval), version=adj.version + 1)

    async def mark_approved(self, adjustment_id: str, *, decided_at: datetime, memo_id: str) -> None:
        self._bump(adjustment_id, status=APPROVED, decided_at=decided_at, memo_id=memo_id)

    async def mark_rejected(self, adjustment_id: str, *, decided_at: datetime, by: str, reason: str,
                            root_cause: str | None = None) -> None:
        cause = {} if root_cause is None else {"root_cause": root_cause}
        self._bump(adjustment_id, status=REJECTED, decided_at=decided_at, rejected_by=by, rejection_reason=reason,
                   **cause)

    async def record_root_cause(self, adjustment_id: str, root_cause: str) -> None:
        self.requests[adjustment_id] = replace(self.requests[adjustment_id], root_cause=root_cause)

    def _bump(self, adjustment_id: str, **changes: Any) -> None:
        adj = self.requests[adjustment_id]
        self.requests[adjustment_id] = replace(adj, version=adj.version + 1, **changes)


@dataclass
class FakeInvoices:
    adjustments: FakeAdjustments
    invoices: dict[str, InvoiceView] = field(default_factory=dict)
    disputes: dict[str, DisputeView] = field(default_factory=dict)

    async def record_issued(self, inv: InvoiceIssued) -> bool:
        if inv.invoice_id in self.invoices:
            return False
        self.invoices[inv.invoice_id] = InvoiceView(
            invoice_id=inv.invoice_id, invoice_number=inv.invoice_number, bill_to_account_id=inv.bill_to_account_id,
            account_id=inv.account_id, currency=inv.currency, issue_date=inv.issue_date, status="issued",
            total=inv.total, period=inv.period, contract_id=inv.contract_id, po_number=inv.po_number,
            lines=[InvoiceLineView(x.invoice_line_id, x.kind, x.amount, x.description, x.tax_code, x.product_code)
                   for x in inv.lines])
        return True

    async def exists(self, invoice_id: str) -> bool:
        return invoice_id in self.invoices

    async def requested_before(self, invoice: InvoiceView, *, kind: str, window: AccountWindow,
                               period: str) -> RequestedBefore:
        alike = [a for a in self.adjustments.requests.values()
                 if a.status != REJECTED and a.kind == kind and a.currency == invoice.currency]

        def in_window(a: AdjustmentRequest) -> bool:
            of = self.invoices[a.invoice_id]
            when = f"{a.requested_at:%Y-%m}" if window is AccountWindow.REQUEST_MONTH else of.period
            return of.bill_to_account_id == invoice.bill_to_account_id and when == period

        return RequestedBefore(sum((a.total.amount for a in alike if a.invoice_id == invoice.invoice_id), ZERO),
                               sum((a.total.amount for a in alike if in_window(a)), ZERO),
                               invoice.bill_to_account_id, window, period)

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceView | None:
        return self.invoices.get(invoice_id)

    async def mark_void(self, invoice_id: str, voided_at: datetime) -> None:
        self.invoices[invoice_id] = replace(self.invoices[invoice_id], status="void")

    async def apply_memo(self, invoice_id: str, kind: str, lines: tuple[MemoLineDraft, ...]) -> None:
        invoice = self.invoices[invoice_id]
        credited, debited = dict(invoice.credited), dict(invoice.debited)
        booked = credited if kind == "credit" else debited
        for line in lines:
            if line.invoice_line_id is not None:
                booked[line.invoice_line_id] = booked.get(line.invoice_line_id, ZERO) + line.amount
        self.invoices[invoice_id] = replace(invoice, credited=credited, debited=debited)

    async def exposures(self, invoice: InvoiceView, *, excluding_dispute: str | None,
                        excluding_adjustment: str | None = None) -> dict[str, LineExposure]:
        pending: dict[str, Decimal] = {}
        for adj in self.adjustments.requests.values():
            if (adj.invoice_id == invoice.invoice_id and adj.status == PENDING and adj.kind == "credit"
                    and adj.adjustment_id != excluding_adjustment):
                for x in adj.lines:
                    if not x.derived and x.invoice_line_id is not None:
                        pending[x.invoice_line_id] = pending.get(x.invoice_line_id, ZERO) + x.amount
        disputed: dict[str, Decimal] = {}
        for d in self.disputes.values():
            if d.invoice_id == invoice.invoice_id and d.status == "open" and d.dispute_id != excluding_dispute:
                for held in d.lines:
                    disputed[held.invoice_line_id] = disputed.get(held.invoice_line_id, ZERO) + held.amount
        def money(amount: Decimal) -> Money:
            return Money(amount, invoice.currency)

        return {x.invoice_line_id: LineExposure(
            x.invoice_line_id, money(x.amount), money(invoice.credited.get(x.invoice_line_id, ZERO)),
            money(pending.get(x.invoice_line_id, ZERO)), money(disputed.get(x.invoice_line_id, ZERO)))
            for x in invoice.lines}

    async def record_dispute_opened(self, d: DisputeOpened) -> bool:
        if d.dispute_id in self.disputes:
            return False
        self.disputes[d.dispute_id] = DisputeView(d.dispute_id, d.invoice_id, "open", d.reason_code,
                                                  [DisputedAmount(x.invoice_line_id, x.amount) for x in d.lines])
        return True

    async def get_dispute(self, dispute_id: str) -> DisputeView | None:
        return self.disputes.get(dispute_id)

    async def set_dispute_status(self, dispute_id: str, status: str, outcome: str | None = None) -> None:
        self.disputes[dispute_id] = replace(self.disputes[dispute_id], status=status)


@dataclass
class FakeMemos:
    issued: list[MemoRecord] = field(default_factory=list)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    async def next_number(self, series: str, year: int) -> int:
        self.counters[series, year] = self.counters.get((series, year), 0) + 1
        return self.counters[series, year]

    async def add(self, memo: MemoRecord) -> None:
        self.issued.append(memo)


@dataclass
class FakePolicy:
    limits: dict[str, ApprovalLimits] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    version: int = 1
    account_window: AccountWindow = AccountWindow.REQUEST_MONTH

    async def current(self, *, for_update: bool = False) -> tuple[dict[str, ApprovalLimits], int]:
        return dict(self.limits), self.version

    async def limits_for(self, currency: str) -> ApprovalLimits | None:
        return self.limits.get(currency)

    async def replace(self, limits: dict[str, ApprovalLimits], *, by: str) -> int:
        self.limits, self.version = dict(limits), self.version + 1
        return self.version


@dataclass
class FakeAccounts:
    kept: dict[str, tuple[AccountState, int]] = field(default_factory=dict)

    async def keep_newer(self, account: AccountState, state_version: int) -> bool:
        held = self.kept.get(account.account_id)
        if held is not None and held[1] >= state_version:
            return False
        self.kept[account.account_id] = (account, state_version)
        return True

    async def get(self, account_id: str) -> AccountView | None:
        held = self.kept.get(account_id)
        if held is None:
            return None
        account, version = held
        return AccountView(account.account_id, account.legal_name, version, account.model_dump(mode="json"))


@dataclass
class FakeMemoDocuments:
    """Keeps each memo's facts and a stand-in for its PDF (the rendering is the adapter's)."""

    kept: dict[str, tuple[MemoFacts, StoredMemoDocument]] = field(default_factory=dict)

    async def keep(self, memo: MemoRecord, facts: MemoFacts) -> StoredMemoDocument:
        if memo.memo_id not in self.kept:
            self.kept[memo.memo_id] = (facts, StoredMemoDocument(memo.memo_id, "0" * 64, memo.memo_number.encode()))
        return self.kept[memo.memo_id][1]

    async def get(self, memo_id: str) -> StoredMemoDocument | None:
        held = self.kept.get(memo_id)
        return None if held is None else held[1]


@dataclass
class FakeParking:
    """Parks in a list; replays through the real HANDLERS with the unit it belongs to."""

    unit: FakeUnit
    parked: list[tuple[str, Event[Payload]]] = field(default_factory=list)

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None:
        self.parked.append((waiting_for, event))

    async def replay(self, waiting_for: str) -> int:
        released = [event for key, event in self.parked if key == waiting_for]
        self.parked = [(key, event) for key, event in self.parked if key != waiting_for]
        for event in released:
            await HANDLERS.dispatch(event, self.unit)
        return len(released)


class FakeUnit:
    """app.ports.AdjustmentUnit in memory; `published` and `audited` are what the outbox and audit trail got."""

    def __init__(self) -> None:
        self.adjustments = FakeAdjustments()
        self.invoices = FakeInvoices(self.adjustments)
        self.memos = FakeMemos()
        self.policy = FakePolicy()
        self.accounts = FakeAccounts()
        self.memo_documents = FakeMemoDocuments()
        self.parking = FakeParking(self)
        self.published: list[tuple[str, str, Payload]] = []  # (event type, key, payload)
        self.audited: list[dict[str, Any]] = []

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload) -> None:
        self.published.append((event_type, key, data))

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        self.audited.append({"actor": actor, "action": action, "entity_type": entity_type, "entity_id": entity_id,
                             "reason": reason, "before": before, "after": after})

    def savepoint(self) -> AbstractAsyncContextManager[object]:
        return self._savepoint()

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[object]:
        # What a nested transaction gives back when its block raises: the state before it.
        stores = ("adjustments", "memos", "policy", "accounts", "memo_documents", "published", "audited")
        before = {name: copy.deepcopy(getattr(self, name)) for name in stores}
        invoices = (copy.deepcopy(self.invoices.invoices), copy.deepcopy(self.invoices.disputes))
        try:
            yield self
        except BaseException:
            for name, value in before.items():
                setattr(self, name, value)
            self.invoices.adjustments = self.adjustments
            self.invoices.invoices, self.invoices.disputes = invoices
            raise

    def received(self, event_type: str) -> list[Payload]:
        """The payloads of `event_type` this unit published, in order."""
        return [data for published_type, _, data in self.published if published_type == event_type]


if TYPE_CHECKING:
    _implements_the_port: AdjustmentUnit = FakeUnit()
