"""The dispute aggregate and the invoice as dispute-svc knows it from events.

State machine (billing-rules.md rules 19-20):
    open --assign--> in_review --resolve--> resolved(upheld | partially_upheld | rejected)
    open | in_review --withdraw--> withdrawn
    resolved(upheld | partially_upheld) --reopen (settling credit rejected)--> in_review
Every change appends a history entry (who, when, what, note); illegal transitions raise `RuleBreach`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dispute_svc.domain.errors import ApprovalRequired, InvalidRequest, RuleBreach
from mediabill_common.money import CurrencyMismatch, Money, round_money

REASON_CODES: tuple[str, ...] = ("rate_mismatch", "delivery_discrepancy", "invalid_traffic", "duplicate_charge",
                                 "unauthorized_charge", "budget_exceeded", "missing_po", "tax", "other")
OUTCOMES: tuple[str, ...] = ("upheld", "partially_upheld", "rejected")
STATUSES: tuple[str, ...] = ("open", "in_review", "resolved", "withdrawn")
ACTIVE_STATUSES: frozenset[str] = frozenset({"open", "in_review"})
# Lines that carry a charge an advertiser can contest; negative lines (discount, commission) and tax cannot be.
DISPUTABLE_KINDS: frozenset[str] = frozenset({"usage", "flat_fee", "prior_period_adjustment", "over_delivery"})


@dataclass(frozen=True)
class InvoiceLineView:
    invoice_line_id: str
    kind: str
    amount: Decimal
    credited: Decimal = Decimal(0)
    product_code: str | None = None
    line_item_id: str | None = None
    description: str = ""


@dataclass(frozen=True)
class InvoiceView:
    """An issued invoice as the billing.invoices.v1 and billing.adjustments.v1 events describe it."""

    invoice_id: str
    invoice_number: str
    account_id: str
    bill_to_account_id: str
    contract_id: str | None
    currency: str
    period: str
    period_start: date
    period_end: date
    issue_date: date
    status: str
    lines: tuple[InvoiceLineView, ...]

    @property
    def is_void(self) -> bool:
        return self.status == "void"

    def line(self, invoice_line_id: str) -> InvoiceLineView | None:
        return next((ln for ln in self.lines if ln.invoice_line_id == invoice_line_id), None)


@dataclass(frozen=True)
class Attachment:
    """Evidence attached by reference: where it is, what it is called, and its SHA-256 to prove it unchanged."""

    url: str
    name: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "name": self.name, "sha256": self.sha256}


@dataclass(frozen=True)
class DisputedLine:
    invoice_line_id: str
    amount: Decimal
    kind: str
    product_code: str | None = None
    line_item_id: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dispute:
    dispute_id: str
    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    currency: str
    reason_code: str
    description: str
    lines: list[DisputedLine]
    opened_by: str
    opened_at: datetime
    assignment_due_at: datetime
    resolution_due_at: datetime
    status: str = "open"
    assignee: str | None = None
    assigned_at: datetime | None = None
    outcome: str | None = None
    credit_amount: Decimal | None = None
    resolution_note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    credit_settled: bool = False
    root_cause: str | None = None  # oversight.md O4: why it happened, recorded on resolution
    version: int = 1
    new_history: list[HistoryEntry] = field(default_factory=list)

    @property
    def disputed(self) -> Money:
        """The total disputed amount (sum of the disputed lines, in the invoice's currency)."""
        return Money(sum((ln.amount for ln in self.lines), Decimal(0)), self.currency)

    def _record(self, at: datetime, actor: str, action: str, note: str | None = None, **details: Any) -> None:
        self.new_history.append(HistoryEntry(at, actor, action, note, details))
        self.version += 1

    def _require(self, allowed: set[str], action: str) -> None:
        if self.status not in allowed:
            raise RuleBreach(f"Dispute {self.dispute_id} is {self.status}; it cannot be {action} "
                             f"(allowed only when {' or '.join(sorted(allowed))}).")

    def assign(self, assignee: str, *, by: str, at: datetime) -> None:
        """Give the dispute to an analyst: `open` moves to `in_review`; `in_review` is reassigned."""
        if not assignee.strip():
            raise InvalidRequest("assignee must name the analyst who will review the dispute", field="assignee")
        self._require({"open", "in_review"}, "assigned")
        before = self.assignee
        if self.status == "open":
            self.status = "in_review"
            self.assigned_at = at
        self.assignee = assignee
        self._record(at, by, "assigned" if before is None else "reassigned", None,
                     assignee=assignee, previous_assignee=before)

    def comment(self, note: str, *, by: str, at: datetime, attachments: tuple[Attachment, ...] = ()) -> None:
        """Add a note (and attachments by reference); allowed in every state, so the file stays complete."""
        if not note.strip() and not attachments:
            raise InvalidRequest("a comment needs a note or at least one attachment", field="note")
        self._record(at, by, "commented", note or None, attachments=[a.as_dict() for a in attachments])

    def withdraw(self, *, by: str, at: datetime, note: str | None = None) -> None:
        """The advertiser (through an analyst) drops the dispute; only while it is still open or in review."""
        self._require({"open", "in_review"}, "withdrawn")
        self.status = "withdrawn"
        self.closed_at = at
        self._record(at, by, "withdrawn", note)

    def resolve(self, outcome: str, credit: Money, note: str, *, by: str, at: datetime,
                root_cause: str | None = None) -> None:
        """Decide the dispute (rule 20); the credit, in the dispute's currency, must fit the outcome. The root
        cause (oversight.md O4) is checked against the shared list by the caller."""
        self._require({"in_review"}, "resolved")
        check_resolution(outcome, credit, note, self.disputed)
        credit_amount = credit.amount
        self.status = "resolved"
        self.outcome = outcome
        self.credit_amount = credit_amount
        self.resolution_note = note
        self.root_cause = root_cause
        self.resolved_by = by
        self.resolved_at = at
        self.closed_at = at
        self.credit_settled = False
        self._record(at, by, "resolved", note, outcome=outcome, credit_amount=format(credit_amount, "f"),
                     root_cause=root_cause)

    def reopen(self, reason: str, *, by: str, at: datetime) -> None:
        """Back to `in_review` when the credit that settled an upheld dispute is rejected (rule 20)."""
        if self.status != "resolved" or self.outcome not in ("upheld", "partially_upheld"):
            raise RuleBreach(f"Dispute {self.dispute_id} is {self.status} "
                             f"{'(' + self.outcome + ')' if self.outcome else ''}; only an upheld or partially "
                             "upheld dispute is reopened when its credit is rejected.")
        previous = {"outcome": self.outcome, "credit_amount": format(self.credit_amount or 0, "f"),
                    "root_cause": self.root_cause}
        self.status = "in_review"
        self.outcome = None
        self.credit_amount = None
        self.resolution_note = None
        self.root_cause = None
        self.resolved_by = None
        self.resolved_at = None
        self.closed_at = None
        self._record(at, by, "reopened", reason, previous=previous)

    def settle_credit(self, *, at: datetime, memo_number: str) -> None:
        """The credit memo for this dispute was issued: the hold on the lines becomes a credit."""
        if self.credit_settled:
            return
        self.credit_settled = True
        self._record(at, "adjustment-svc", "credit_issued", None, memo_number=memo_number)


def check_resolution(outcome: str, credit_money: Money, note: str, disputed_money: Money) -> None:
    """Rule 20: upheld credits the disputed amount; partially upheld 0 < credit < disputed; rejected 0.

    Raises `CurrencyMismatch` when the credit is not in the disputed amount's currency."""
    if credit_money.currency != disputed_money.currency:
        raise CurrencyMismatch(f"a credit in {credit_money.currency} for a dispute in {disputed_money.currency}")
    credit, disputed, currency = credit_money.amount, disputed_money.amount, credit_money.currency
    if outcome not in OUTCOMES:
        raise InvalidRequest(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}", field="outcome")
    if not note.strip():
        raise InvalidRequest("resolution_note is required: say why the dispute was decided this way",
                             field="resolution_note")
    if credit < 0 or round_money(credit, currency) != credit:
        raise InvalidRequest(f"credit_amount must be a non-negative amount in {currency} with at most its "
                             f"minor-unit digits; got {credit}", field="credit_amount")
    shown = f"{format(disputed, 'f')} {currency}"
    if outcome == "upheld" and credit != disputed:
        raise InvalidRequest(f"an upheld dispute credits the whole disputed amount {shown}; "
                             f"credit_amount was {credit}", field="credit_amount")
    if outcome == "partially_upheld" and not (0 < credit < disputed):
        raise InvalidRequest(f"a partially upheld dispute credits more than 0 and less than the disputed "
                             f"amount {shown}; credit_amount was {credit}", field="credit_amount")
    if outcome == "rejected" and credit != 0:
        raise InvalidRequest(f"a rejected dispute credits nothing; credit_amount was {credit}",
                             field="credit_amount")


def amounts_held(dispute: Dispute) -> dict[str, Decimal]:
    """What this dispute holds against each invoice line's headroom (rule 18).

    An active dispute holds every disputed amount. A resolved dispute whose credit is still on its way holds the
    credit, allotted to its lines in order (each up to its disputed amount), until the credit memo is issued.
    Withdrawn, rejected and settled disputes hold nothing.
    """
    if dispute.status in ACTIVE_STATUSES:
        return {ln.invoice_line_id: ln.amount for ln in dispute.lines}
    if dispute.status != "resolved" or dispute.credit_settled or not dispute.credit_amount:
        return {}
    remaining = dispute.credit_amount
    held: dict[str, Decimal] = {}
    for ln in dispute.lines:
        share = min(ln.amount, remaining)
        if share > 0:
            held[ln.invoice_line_id] = share
        remaining -= share
    return held


def open_dispute(*, dispute_id: str, invoice: InvoiceView, lines: list[DisputedLine], reason_code: str,
                 description: str, opened_by: str, opened_at: datetime, assignment_due_at: datetime,
                 resolution_due_at: datetime, attachments: tuple[Attachment, ...] = ()) -> Dispute:
    """A new dispute in state `open` with its first history entry (lines already checked by `check_opening`)."""
    dispute = Dispute(dispute_id=dispute_id, invoice_id=invoice.invoice_id, invoice_number=invoice.invoice_number,
                      bill_to_account_id=invoice.bill_to_account_id, currency=invoice.currency,
                      reason_code=reason_code, description=description, lines=lines, opened_by=opened_by,
                      opened_at=opened_at, assignment_due_at=assignment_due_at,
                      resolution_due_at=resolution_due_at, version=0)
    dispute._record(opened_at, opened_by, "opened", description, reason_code=reason_code,
                    amount=format(dispute.disputed.amount, "f"), attachments=[a.as_dict() for a in attachments])
    return dispute


def check_credit_authority(credit: Money, limit: Money, *, is_manager: bool) -> None:
    """Rule 22's auto-approval limit (of the credit's currency): a credit above it is a billing-manager's
    decision."""
    if credit > limit and not is_manager:
        raise ApprovalRequired(f"A credit of {format(credit.amount, 'f')} {credit.currency} is above the "
                               f"auto-approval limit of {format(limit.amount, 'f')} {limit.currency}; a "
                               "billing-manager must resolve this dispute.")
