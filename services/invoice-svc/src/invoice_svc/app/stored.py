"""What invoice-svc's repositories take and hand back: exceptions, receivables, bill runs, invoices and their lines
as stored, and the sums behind the KPIs (the values that cross app/ports.py's Protocols)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from invoice_svc.domain.billing.balance import InvoiceBalance
from invoice_svc.domain.billing.grouping import GroupKey
from mediabill_common.money import Money

RunStatus = Literal["queued", "running", "completed", "failed"]


@dataclass(frozen=True, slots=True)
class NewException:
    """A billing exception to raise (opened unless its dedupe key has an unresolved one)."""

    exception_id: str
    kind: str
    dedupe_key: str
    account_id: str | None
    delivery_id: str | None
    refs: dict[str, str | None]
    amount_at_risk: Decimal | None
    currency: str | None
    over_delivery_value: Decimal | None = None
    quantity: int | None = None
    unit: str | None = None
    source_system: str | None = None  # with delivery_id: the delivery's ledger key


@dataclass(frozen=True, slots=True)
class QueuedException:
    """A billing exception as the queue holds it."""

    exception_id: str
    kind: str
    status: str
    dedupe_key: str
    account_id: str | None
    delivery_id: str | None
    refs: dict[str, str | None]
    amount_at_risk: Decimal | None
    currency: str | None
    raised_at: datetime
    assignee: str | None
    assigned_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    version: int
    over_delivery_value: Decimal | None = None
    quantity: int | None = None
    unit: str | None = None
    root_cause: str | None = None  # oversight.md O4; `system_resolved` when it resolved itself
    source_system: str | None = None  # with delivery_id: the delivery's ledger key


@dataclass(frozen=True, slots=True)
class ResolvedException:
    """An exception the system resolved because its cause went away."""

    exception_id: str
    account_id: str | None
    resolved_at: datetime


@dataclass(frozen=True, slots=True)
class Receivable:
    """An issued (or void) invoice as its balance events see it."""

    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    total: Money
    status: str

    @property
    def currency(self) -> str:
        return self.total.currency


@dataclass(frozen=True, slots=True)
class BillRun:
    """A bill run as the queue holds it: what was requested, who runs it, how far it got."""

    run_id: str
    period: str
    mode: str
    bill_to_account_ids: list[str] | None
    status: RunStatus
    requested_by: str
    requested_at: datetime
    snapshot_at: datetime | None
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    claimed_by: str | None
    attempts: int
    groups_total: int | None
    groups_done: int
    counts: dict[str, int]
    totals: dict[str, str]
    exception_ids: list[str]
    error: str | None
    source_system: str | None = None    # a shadow preview: priced as if this delivery source billed (O1)


@dataclass(frozen=True, slots=True)
class GroupSeed:
    """A group a run must price, and the advertiser it bills for."""

    key: GroupKey
    advertiser_account_id: str


@dataclass(frozen=True, slots=True)
class ChangedPeriod:
    """An issued invoice of an earlier period whose deliveries changed since it was billed (rule 13)."""

    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    contract_key: str
    account_id: str
    period: str
    period_start: date
    period_end: date


class GroupInvoice(NamedTuple):
    """A non-void invoice a group already has in its period (a bill run reads two per group and chunk)."""

    invoice_id: str
    status: str
    bill_run_id: str


@dataclass(frozen=True, slots=True)
class InvoiceHeader:
    """An invoice as lists show it (drafts included): no document, pricing findings or full balance."""

    invoice_id: str
    invoice_number: str | None
    status: str
    bill_to_account_id: str
    account_id: str
    contract_id: str | None
    po_number: str | None
    period: str
    period_start: date
    period_end: date
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int | None
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    commission_total: Decimal
    tax_total: Decimal
    total: Decimal
    adjustment_only: bool
    bill_run_id: str
    balance_due: Decimal
    balance_status: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Invoice(InvoiceHeader):
    """An invoice with what it printed, what pricing found and its receivable (None for a draft)."""

    document: dict[str, Any]
    exceptions: list[dict[str, Any]]
    balance: InvoiceBalance | None
    voided_at: datetime | None
    voided_by: str | None
    void_reason: str | None
    version: int


@dataclass(frozen=True, slots=True)
class StoredLine:
    """One line of an invoice as stored (amounts at the columns' scale)."""

    invoice_id: str
    line_no: int
    invoice_line_id: str
    kind: str
    component: str
    description: str
    product_code: str | None
    gl_revenue_account: str | None
    campaign_id: str | None
    campaign_name: str | None
    line_item_id: str | None
    quantity: int
    unit: str | None
    unit_price: Decimal
    price_base_quantity: int
    amount: Decimal
    value: Decimal | None
    original_invoice_number: str | None
    tax_code: str | None
    adjusts_kind: str | None = None     # prior-period lines (close.md C2)
    original_period: str | None = None  # prior-period lines (close.md C12)


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    invoice_number: str | None = None
    bill_to_account_id: str | None = None
    account_id: str | None = None
    contract_id: str | None = None
    po_number: str | None = None
    period: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class TouchlessInPeriod:
    """Invoices of a period issued (void ones included) and how many went out untouched: no billing exception on
    their contract (or self-serve account) and period, no dispute, no memo, not voided."""

    period: str
    issued: int
    touchless: int


@dataclass(frozen=True, slots=True)
class ExceptionsHealed:
    """Billing exceptions raised in a window: how many, how many are resolved, how many the system resolved."""

    raised: int
    resolved: int
    self_healed: int


@dataclass(frozen=True, slots=True)
class BilledInPeriod:
    """Non-void issued invoices of a period in one currency: how many, their value, what was credited on them."""

    period: str
    currency: str
    invoices: int
    billed: Decimal
    credited: Decimal


@dataclass(frozen=True, slots=True)
class OpenExceptions:
    """Unresolved billing exceptions of one kind, currency and unit: their summed value (priced revenue at
    risk, or over-delivery), how many could not be priced and their summed quantity."""

    kind: str
    currency: str | None
    unit: str | None
    open: int
    amount: Decimal
    over_delivery: Decimal
    unpriced: int
    unpriced_quantity: int


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """An issued invoice's document as stored: the PDF bytes rendered once and their SHA-256 (hex)."""

    invoice_id: str
    sha256: str
    pdf: bytes
    rendered_at: datetime


@dataclass(frozen=True, slots=True)
class PeriodLockChange:
    """A PeriodClosed or PeriodReopened from accounting-svc, as the lock keeps it."""

    period: str
    status: Literal["closed", "reopened"]
    changed_by: str
    changed_at: datetime
    reason: str | None
    event_id: str


@dataclass(frozen=True, slots=True)
class IssuedInPeriod:
    """The documents issued for a period in one currency (non-void invoices), and how many were voided."""

    currency: str
    invoices: int
    subtotal: Decimal
    discount_total: Decimal
    commission_total: Decimal
    tax_total: Decimal
    total: Decimal
    voided: int


@dataclass(frozen=True, slots=True)
class HeldDelivery:
    """Deliveries of one line item and period that cannot be priced (held by exceptions): C9's `unpriced`."""

    account_id: str
    contract_id: str | None
    line_item_id: str
    product_code: str
    period: str
    deliveries: int
    impressions: int
    viewable_impressions: int
    clicks: int
    conversions: int
    third_party_impressions: int | None
    media_cost: Decimal | None
    currency: str | None
    exception_kinds: list[str]


@dataclass(frozen=True, slots=True)
class OwedPeriod:
    """A closed period of a group that no issued invoice covers and whose deliveries changed since what was billed
    for it on later invoices (close.md C12)."""

    bill_to_account_id: str
    contract_key: str
    account_id: str
    period: str


class SourceDay(NamedTuple):
    """One source's records of a (contract, line item, service date), summed (the source reconciliation's read)."""

    source_system: str
    contract_id: str | None
    line_item_id: str
    delivery_date: date
    account_id: str
    product_code: str
    bills: bool                 # one of its records bills the day
    records: int
    impressions: int
    viewable_impressions: int
    clicks: int
    conversions: int
    third_party_impressions: int | None
    media_cost: Decimal | None
    currency: str | None
