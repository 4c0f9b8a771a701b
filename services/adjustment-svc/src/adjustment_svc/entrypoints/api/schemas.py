"""Request and response bodies of adjustment-svc's API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from adjustment_svc.app.ports import MemoRecord
from adjustment_svc.domain.adjustment import AdjustmentRequest
from mediabill_common.events.catalog import AnalystRootCause, ReasonCode
from mediabill_common.events.types import Amount, Currency, DecimalStr
from mediabill_common.money import round_money

# oversight.md O4: why the adjustment was needed, from the shared list (`system_resolved` is the system's own).
RootCauseIn = Annotated[AnalystRootCause | None, Field(description="why it was needed, from the shared root-cause "
                                                                   "list; on approve or reject it replaces the "
                                                                   "request's", examples=["invalid_traffic"])]


class AdjustmentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice_line_id: str = Field(min_length=1, max_length=100, examples=["INV-2025-00000042-L1"])
    amount: Amount = Field(description="amount credited or debited on this line, > 0", examples=["200.00"])
    description: str = Field("", max_length=500, examples=["Invalid traffic on 2025-03-14"])

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "invoice_id": "inv-7f3a", "kind": "credit",
        "lines": [{"invoice_line_id": "L1", "amount": "200.00", "description": "IVT credit"}],
        "reason_code": "invalid_traffic", "note": "IVT confirmed by the ad server's report",
        "attachments": ["s3://evidence/ivt-2025-03.pdf"]}]})
    invoice_id: str = Field(min_length=1, max_length=100)
    kind: Literal["credit", "debit"]
    lines: list[AdjustmentLineIn] = Field(min_length=1, max_length=200)
    reason_code: ReasonCode
    dispute_id: str | None = Field(None, max_length=100, description="the dispute this credit settles, if any")
    note: str = Field(min_length=1, max_length=4000, description="why the adjustment is needed (required)")
    attachments: list[str] = Field(default_factory=list, max_length=20,
                                   description="references to supporting documents (URLs or document ids)")
    root_cause: RootCauseIn = None
    source_exception_id: str | None = Field(
        None, min_length=1, max_length=100,
        description="the invoice-svc billing exception (an `invoice_drift`) whose correction this request turns "
                    "into a memo; stored and shown as given (adjustment-svc does not see billing exceptions)")

    @field_validator("note")
    @classmethod
    def _note_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a note is required: say why the adjustment is needed")
        return value

    @field_validator("attachments")
    @classmethod
    def _attachment_refs(cls, value: list[str]) -> list[str]:
        if any(not ref.strip() or len(ref) > 500 for ref in value):
            raise ValueError("each attachment reference must be 1 to 500 characters")
        return value


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str | None = Field(None, max_length=2000)
    root_cause: RootCauseIn = None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "Evidence missing"}]})
    reason: str | None = Field(None, max_length=2000, description="required: why the request is refused")
    root_cause: RootCauseIn = None


class MemoLineOut(BaseModel):
    invoice_line_id: str | None
    kind: str
    amount: DecimalStr
    description: str
    derived: bool = Field(description="a discount, commission or tax reversal computed by rule 21")


class ApprovalOut(BaseModel):
    approver: str
    roles: list[str]
    approved_at: datetime
    comment: str | None


class ApprovalBasisOut(BaseModel):
    """Why the request needs its approval level (rule 22 on cumulative amounts)."""

    basis: Literal["request", "invoice_cumulative", "account_period_cumulative", "no_limits"] = Field(
        description="the figure that decided the level: the request alone, everything requested on the invoice, or "
                    "everything requested for the bill-to account in the period (pending and approved, this request "
                    "included)")
    figure: DecimalStr = Field(description="the deciding figure")
    limit: str = Field(description="the limit it was judged against: the auto-approval limit it stayed within or the "
                                   "limit it went over; empty when the currency has no limits")
    request_total: DecimalStr
    invoice_cumulative: DecimalStr
    account_cumulative: DecimalStr
    bill_to_account_id: str
    account_window: Literal["request_month", "invoice_period"] = Field(
        description="request_month: requests made in the same calendar month (UTC); invoice_period: requests on "
                    "invoices of the same billing period")
    account_period: str = Field(description="YYYY-MM")
    explanation: str


class AdjustmentOut(BaseModel):
    adjustment_id: str
    invoice_id: str
    kind: str
    status: Literal["pending_approval", "approved", "rejected"]
    reason_code: str
    dispute_id: str | None
    note: str
    attachments: list[str]
    currency: str
    total: DecimalStr = Field(description="the memo total: what the customer gets back (credit) or owes (debit)")
    approval_level: str = Field(description="policy, manager or manager_and_director (rule 22)")
    approval_basis: ApprovalBasisOut | None = Field(description="why that level; null for requests made before "
                                                                "approval limits applied to cumulative amounts")
    approvals_given: list[ApprovalOut]
    approvals_still_needed: list[str]
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    rejected_by: str | None
    rejection_reason: str | None
    memo_id: str | None
    root_cause: str | None = Field(description="why it was needed (oversight.md O4); a dispute's credit carries "
                                               "the dispute's cause")
    source_exception_id: str | None = Field(None, description="the billing exception (an invoice_drift) this "
                                                              "request corrects, as the requester named it")
    lines: list[MemoLineOut]

    @classmethod
    def of(cls, adj: AdjustmentRequest) -> AdjustmentOut:
        return cls.model_validate(cls.fields_of(adj))

    @staticmethod
    def fields_of(adj: AdjustmentRequest) -> dict:
        """The request's fields, nested ones as dicts: validated in one pass by `of`, or a page at a time."""
        money = lambda v: round_money(v, adj.currency)  # noqa: E731
        approvals = [{"approver": a.approver, "roles": sorted(a.roles), "approved_at": a.approved_at,
                      "comment": a.comment} for a in adj.approvals]
        if adj.approval_level.value == "policy" and adj.status == "approved":
            approvals = [{"approver": "policy", "roles": [], "approved_at": adj.decided_at, "comment": None}]
        return {
            "adjustment_id": adj.adjustment_id, "invoice_id": adj.invoice_id, "kind": adj.kind,
            "status": adj.status, "reason_code": adj.reason_code, "dispute_id": adj.dispute_id, "note": adj.note,
            "attachments": list(adj.attachments), "currency": adj.currency, "total": adj.total.rounded().amount,
            "approval_level": adj.approval_level.value, "approval_basis": adj.approval_basis,
            "approvals_given": approvals,
            "approvals_still_needed": adj.approvals_still_needed(), "requested_by": adj.requested_by,
            "requested_at": adj.requested_at, "decided_at": adj.decided_at, "rejected_by": adj.rejected_by,
            "rejection_reason": adj.rejection_reason, "memo_id": adj.memo_id, "root_cause": adj.root_cause,
            "source_exception_id": adj.source_exception_id,
            "lines": [{"invoice_line_id": x.invoice_line_id, "kind": x.kind, "amount": money(x.amount),
                       "description": x.description, "derived": x.derived} for x in adj.lines]}


class MemoOut(BaseModel):
    memo_id: str
    memo_number: str = Field(examples=["CM-2025-00000001"])
    kind: Literal["credit", "debit"]
    adjustment_id: str
    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    dispute_id: str | None
    lines: list[dict] = Field(description="invoice_line_id, kind, amount, description")
    total: DecimalStr
    currency: str
    reason_code: str
    requested_by: str
    approved_by: list[str]
    issued_at: datetime

    @classmethod
    def of(cls, memo: MemoRecord) -> MemoOut:
        return cls(**{**memo.__dict__, "total": memo.total.rounded().amount, "currency": memo.currency})


class MemoWithDocument(MemoOut):
    document_sha256: str | None = Field(description="SHA-256 (hex) of the memo's PDF, stored when the memo was "
                                                    "issued and never changed (GET .../document); null for a memo "
                                                    "issued before documents were stored, until its first download")


class LimitsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    auto_approve_max: Amount = Field(examples=["250.00"])
    single_approval_max: Amount = Field(examples=["25000.00"])

    @model_validator(mode="after")
    def _ordered(self) -> LimitsIn:
        if self.auto_approve_max > self.single_approval_max:
            raise ValueError("auto_approve_max must not exceed single_approval_max")
        return self


class ApprovalPolicyIn(RootModel[dict[Currency, LimitsIn]]):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "USD": {"auto_approve_max": "250.00", "single_approval_max": "25000.00"}}]})


class ApprovalPolicyOut(RootModel[dict[str, dict[str, str]]]):
    pass
