"""Request and response bodies of accounting-svc's API (money as decimal strings next to a currency)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mediabill_common.events.types import DecimalStr, Id, Note, Period


class ChartOfAccountsBody(BaseModel):
    """The chart-of-accounts mapping (close.md C8); revenue accounts come from each product's gl_revenue_account,
    `revenue` is the account of a line whose product names none."""

    receivable: Id = Field(min_length=1)
    unbilled_receivable: Id = Field(min_length=1)
    cash_clearing: Id = Field(min_length=1)
    customer_credits: Id = Field(min_length=1)
    unapplied_cash: Id = Field(min_length=1)
    tax_payable: Id = Field(min_length=1, description="tax payable of a tax code not listed in tax_payable_by_code")
    tax_payable_by_code: dict[Id, Id] = Field(default_factory=dict)
    revenue: Id = Field(min_length=1)
    discount: Id = Field(min_length=1, description="discount contra-revenue")
    agency_commission: Id = Field(min_length=1)
    commission_treatment: Literal["contra_revenue", "expense"] = Field(
        description="contra_revenue (default) or expense where the network reports gross")


class JournalLineOut(BaseModel):
    line_no: int
    account: str
    debit: DecimalStr
    credit: DecimalStr
    currency: str
    bill_to_account_id: str | None = None
    account_id: str | None = None
    contract_id: str | None = None
    product_code: str | None = None
    channel: str | None = None
    service_period: str | None = None
    tax_code: str | None = None


class JournalEntryOut(BaseModel):
    entry_id: str
    source_type: str
    source_id: str
    document_number: str | None
    posting_date: date
    posting_period: str
    original_period: str | None
    reverses_entry_id: str | None
    posted_at: datetime
    lines: list[JournalLineOut]


class TrialBalanceRow(BaseModel):
    account: str
    currency: str
    opening: DecimalStr
    debits: DecimalStr
    credits: DecimalStr
    closing: DecimalStr


class TrialBalanceTotal(BaseModel):
    currency: str
    debits: DecimalStr
    credits: DecimalStr
    closing_debits: DecimalStr
    closing_credits: DecimalStr
    balanced: bool


class TrialBalanceOut(BaseModel):
    period: Period
    rows: list[TrialBalanceRow]
    totals: list[TrialBalanceTotal]


class RevenueRow(BaseModel):
    key: str | None = Field(description="the dimension's value (a GL account, product, channel, bill-to or account)")
    currency: str
    gross: DecimalStr
    discount: DecimalStr
    commission: DecimalStr
    net: DecimalStr


class RevenueOut(BaseModel):
    period: Period
    by: str
    commission_treatment: str
    rows: list[RevenueRow]


class ChecklistItem(BaseModel):
    item: str = Field(description="blocking: billing_complete, journal_complete (posted = issued, nothing "
                                  "dead-lettered), receivable_ties_out, previous_period_closed; informational: "
                                  "events_waiting_for_an_invoice, unpriced_unbilled, open_billing_exceptions, "
                                  "open_disputes, pending_credit_requests",
                      examples=["journal_complete"])
    status: Literal["pass", "fail", "info"]
    blocking: bool = Field(description="a failing blocking item refuses the close (409); info items never block")
    why: str
    details: dict[str, Any] = Field(default_factory=dict, description="the figures behind `why`: e.g. "
                                    "journal_complete's `dead_letters` (event id, type, topic, offset, reason), an "
                                    "exposure item's `by_currency` counts and amounts")


class PeriodOut(BaseModel):
    period: Period
    status: Literal["open", "closed"]
    close_count: int = 0
    closed_at: datetime | None = None
    closed_by: str | None = None
    snapshot_id: str | None = None
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    reopen_reason: str | None = None
    checklist: list[ChecklistItem] | None = None
    accrual: list[dict[str, Any]] | None = None


class ReopenBody(BaseModel):
    reason: Note = Field(min_length=1, description="why the period is reopened (audited)")


class DeadLetterOut(BaseModel):
    letter_id: int
    consumer: str
    event_id: str | None = Field(description="null when the record was not a CloudEvents envelope")
    event_type: str | None
    source: str | None
    topic: str = Field(description="where it was consumed from; the letter itself is on `<topic>.dlq`")
    partition: int
    offset: int
    reason: str
    dead_lettered_at: datetime
    dismissed_at: datetime | None
    dismissed_by: str | None
    dismiss_reason: str | None


class DismissBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "a test record the ad platform sent by mistake; no invoice behind it"}]})
    reason: Note = Field(min_length=1, description="why the record posts nothing (audited)")
