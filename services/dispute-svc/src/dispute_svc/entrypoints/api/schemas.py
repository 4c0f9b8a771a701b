"""Request and response bodies of the dispute-svc API (money as decimal strings, per api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mediabill_common.events.catalog import AnalystRootCause
from mediabill_common.events.types import Amount, Currency, DecimalStr

Status = Literal["open", "in_review", "resolved", "withdrawn"]
AgeBucket = Literal["0-7d", "8-30d", "31-60d", ">60d"]


class AttachmentIn(BaseModel):
    """Evidence kept elsewhere (document store, ticket, e-mail archive), referenced with its checksum."""

    url: str = Field(pattern=r"^https?://\S+$", examples=["https://files.example.com/disputes/po-4471.pdf"])
    name: str = Field(min_length=1, max_length=200, examples=["PO 4471 signed.pdf"])
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="lower-case hex SHA-256 of the file")


class DisputedLineIn(BaseModel):
    invoice_line_id: str = Field(min_length=1, examples=["inv-7f3c-l1"])
    amount: DecimalStr = Field(description="amount contested on this line; > 0 and within the line's headroom",
                               examples=["120.00"])


class OpenDisputeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "invoice_id": "inv-7f3c", "lines": [{"invoice_line_id": "inv-7f3c-l1", "amount": "120.00"}],
        "reason_code": "delivery_discrepancy",
        "description": "Advertiser's DCM shows 18% fewer impressions on 3-9 March than billed.",
        "attachments": []}]})

    invoice_id: str = Field(min_length=1)
    lines: list[DisputedLineIn] = Field(description="each invoice line contested, once, with an amount")
    reason_code: str = Field(description="rate_mismatch, delivery_discrepancy, invalid_traffic, duplicate_charge, "
                                          "unauthorized_charge, budget_exceeded, missing_po, tax or other")
    description: str = Field(description="what the advertiser contests and why (required)")
    attachments: list[AttachmentIn] = Field(default_factory=list)


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, examples=["analyst.jane"])


class CommentIn(BaseModel):
    note: str = Field(default="", max_length=10_000, examples=["Asked the ad-ops team for the raw logs."])
    attachments: list[AttachmentIn] = Field(default_factory=list)


class WithdrawIn(BaseModel):
    note: str | None = Field(default=None, examples=["Advertiser accepted the explanation by e-mail."])


class ResolveIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "outcome": "partially_upheld", "credit_amount": "60.00",
        "resolution_note": "Third-party counts confirm 9% over-count on 3-5 March; crediting those days."}]})

    outcome: str = Field(description="upheld (credit = disputed amount), partially_upheld (0 < credit < disputed) "
                                     "or rejected (credit 0)")
    credit_amount: DecimalStr
    resolution_note: str
    root_cause: AnalystRootCause | None = Field(default=None, description="why it happened, from the shared "
                                                "root-cause list (oversight.md O4)", examples=["delivery_data"])


class DisputeLineOut(BaseModel):
    invoice_line_id: str
    amount: Amount
    kind: str
    product_code: str | None
    line_item_id: str | None


class SlaOut(BaseModel):
    assignment_due_at: datetime = Field(description="2 business days after opening unless the policy says "
                                                    "otherwise for the reason code")
    resolution_due_at: datetime
    age_days: int
    age_hours: float
    age_bucket: AgeBucket
    assignment_overdue: bool
    resolution_overdue: bool
    overdue: bool = Field(description="still active and past a due time it has not met")


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str | None
    details: dict[str, Any]


class DisputeOut(BaseModel):
    dispute_id: str
    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    status: Status
    reason_code: str
    description: str
    amount: Amount
    currency: Currency
    lines: list[DisputeLineOut]
    opened_by: str
    opened_at: datetime
    assignee: str | None
    assigned_at: datetime | None
    outcome: str | None
    credit_amount: Amount | None
    resolution_note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    closed_at: datetime | None
    credit_settled: bool
    root_cause: str | None = Field(description="why it happened (oversight.md O4); null until resolved with one")
    version: int
    sla: SlaOut
    attachments: list[AttachmentIn] | None = None
    history: list[HistoryOut] | None = None


class DisputePage(BaseModel):
    items: list[DisputeOut]
    next_cursor: str | None = None


class SlaTargetIn(BaseModel):
    assignment_business_days: int = Field(ge=0, le=60, examples=[2])
    resolution_calendar_days: int = Field(ge=1, le=365, examples=[30])


class SlaPolicyIn(BaseModel):
    default: SlaTargetIn
    by_reason_code: dict[str, SlaTargetIn] = Field(default_factory=dict, examples=[{"tax": {
        "assignment_business_days": 1, "resolution_calendar_days": 15}}])
    reason: str | None = Field(default=None, description="why the policy changes (kept in the audit trail)")


class SlaPolicyOut(BaseModel):
    default: SlaTargetIn
    by_reason_code: dict[str, SlaTargetIn]
    version: int
