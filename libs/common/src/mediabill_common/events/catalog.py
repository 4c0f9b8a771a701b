"""The catalog of every event in the contract (../shared/spec/events.md): topic, key and payload model.

`EVENT_TYPES` maps an event type name to its `EventSpec`; `TOPICS` maps a topic to the types it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeAlias, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState
from mediabill_common.events.types import ID_MAX, Amount, Currency, DecimalStr, Description, Id, Name, Note, Period

DELIVERY_TOPIC = "ads.delivery.v1"
CONFIG_TOPIC = "billing.config.v1"
INVOICES_TOPIC = "billing.invoices.v1"
EXCEPTIONS_TOPIC = "billing.exceptions.v1"
DISPUTES_TOPIC = "billing.disputes.v1"
ADJUSTMENTS_TOPIC = "billing.adjustments.v1"
PAYMENTS_TOPIC = "collections.payments.v1"
ACCOUNTING_TOPIC = "accounting.journal.v1"


# What the ledger's columns hold: a revision is a 32-bit integer, a count a 64-bit one. A delivery past them is
# refused for its schema (dead-lettered with the field) rather than by a failing INSERT.
REVISION_MAX = 2**31 - 1
COUNT_MAX = 2**63 - 1


class Payload(BaseModel):
    # Producers may add optional fields (events.md): consumers accept and ignore them.
    model_config = ConfigDict(extra="allow")


# ---- ads.delivery.v1 ---------------------------------------------------------------------------
class CampaignDelivered(Payload):
    delivery_id: str = Field(max_length=ID_MAX, min_length=1)
    revision: int = Field(ge=0, le=REVISION_MAX)
    source_system: str = Field(max_length=ID_MAX, min_length=1)
    account_id: str = Field(max_length=ID_MAX, min_length=1)
    contract_id: Id | None = None
    campaign_id: str = Field(max_length=ID_MAX, min_length=1)
    line_item_id: str = Field(max_length=ID_MAX, min_length=1)
    campaign_name: Name | None = None
    product_code: str = Field(max_length=ID_MAX, min_length=1)
    delivery_date: date
    impressions: int = Field(ge=0, le=COUNT_MAX)
    viewable_impressions: int = Field(ge=0, le=COUNT_MAX)
    clicks: int = Field(ge=0, le=COUNT_MAX)
    conversions: int = Field(ge=0, le=COUNT_MAX)
    third_party_impressions: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    media_cost: Amount | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _currency_with_cost(self) -> CampaignDelivered:
        if self.media_cost is not None and self.currency is None:
            raise ValueError("currency is required when media_cost is present")
        return self


# ---- billing.config.v1 ------------------------------------------------------------------------
class ProductChanged(Payload):
    state_version: int = Field(ge=1)
    product: ProductState


class AccountChanged(Payload):
    state_version: int = Field(ge=1)
    account: AccountState


class ContractChanged(Payload):
    state_version: int = Field(ge=1)
    contract: ContractState


class DeliverySourceChanged(Payload):
    state_version: int = Field(ge=1)
    delivery_source: DeliverySourceState


# ---- billing.invoices.v1 ----------------------------------------------------------------------
LineKind = Literal["usage", "flat_fee", "discount", "agency_commission", "tax", "prior_period_adjustment",
                   "over_delivery"]
LineUnit = Literal["impressions", "viewable_impressions", "clicks", "conversions", "days", "fee"]
# What a prior-period adjustment line adjusts (close.md C2): the account it posts to follows from it.
AdjustsKind = Literal["usage", "flat_fee", "discount", "agency_commission", "tax"]


class InvoiceLine(Payload):
    invoice_line_id: Id
    kind: LineKind
    product_code: Id | None = None
    gl_revenue_account: Id | None = None
    campaign_id: Id | None = None
    campaign_name: Name | None = None
    line_item_id: Id | None = None
    description: Description
    quantity: int
    unit: LineUnit | None = None
    unit_price: DecimalStr
    price_base_quantity: int = 1
    amount: DecimalStr
    original_invoice_number: Id | None = None
    value: DecimalStr | None = None
    tax_code: Id | None = Field(default=None, description="tax lines (and tax adjustments): the tax code they apply")
    adjusts_kind: AdjustsKind | None = Field(
        default=None, description="prior_period_adjustment lines: the kind of line they adjust (close.md C2)")
    original_period: Period | None = Field(
        default=None, description="prior_period_adjustment lines: the service period they adjust; set even when "
                                  "that period was never invoiced (original_invoice_number null, close.md C12)")


class InvoiceIssued(Payload):
    invoice_id: Id
    invoice_number: Id
    account_id: Id
    bill_to_account_id: Id
    contract_id: Id | None
    po_number: Id | None
    period: Period
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    currency: Currency
    lines: list[InvoiceLine]
    subtotal: DecimalStr
    discount_total: DecimalStr
    commission_total: DecimalStr
    tax_total: DecimalStr
    total: DecimalStr


BalanceReason = Literal["credit_memo", "debit_memo", "payment", "dispute_opened", "dispute_resolved",
                        "dispute_withdrawn", "void"]
InvoiceStatus = Literal["void", "paid", "partially_paid", "issued"]


class InvoiceBalanceChanged(Payload):
    invoice_id: Id
    invoice_number: Id
    bill_to_account_id: Id
    currency: Currency
    total: DecimalStr
    credited: DecimalStr
    debited: DecimalStr
    paid: DecimalStr
    balance_due: DecimalStr
    overpaid: DecimalStr
    disputed_amount: DecimalStr
    status: InvoiceStatus
    reason: BalanceReason
    caused_by: Id


class InvoiceVoided(Payload):
    invoice_id: Id
    invoice_number: Id
    bill_to_account_id: Id
    reason: Note
    voided_by: Id
    voided_at: datetime


# ---- billing.exceptions.v1 --------------------------------------------------------------------
ExceptionKind = Literal[
    "unknown_product", "product_not_live", "unknown_account", "unknown_contract", "outside_flight",
    "currency_mismatch", "missing_media_cost", "missing_rate", "missing_third_party_counts", "budget_exhausted",
    "restatement_after_issue", "negative_invoice", "overpayment", "payment_currency_mismatch", "unknown_invoice",
    "payment_account_mismatch", "payment_conflict", "payment_amount_precision",
    "pricing_out_of_range",
    # Added with issue 22 (oversight.md O1): a line item's day reported by a second delivery source; a service day
    # only a source that does not bill it reported (informational); a billing-source cutover whose date arrived
    # before the new source reconciled with the current one.
    "source_conflict", "missing_billing_source_delivery", "cutover_not_ready",
    # Added with issue 22 (oversight.md O3): an issued invoice re-prices to other amounts than were issued for it.
    "invoice_drift",
]
EXCEPTION_KINDS: tuple[str, ...] = get_args(ExceptionKind)


class BillingExceptionRaised(Payload):
    exception_id: Id
    kind: ExceptionKind
    account_id: Id | None
    refs: dict[str, str | None] = Field(default_factory=dict)
    amount_at_risk: DecimalStr | None = None
    currency: Currency | None = None
    raised_at: datetime
    # Added with issue 19: amount_at_risk is revenue held back from invoicing (priced by the pricing engine; null
    # when it cannot be priced, with quantity and unit); over-delivery beyond a budget is reported apart.
    over_delivery_value: DecimalStr | None = None
    quantity: int | None = Field(default=None, ge=0)
    unit: LineUnit | None = None


# ---- root causes (oversight.md O4): one list for exceptions, disputes and adjustment requests ----------------
AnalystRootCause = Literal["config_rate_card", "config_contract", "config_product", "config_account",
                           "delivery_data", "third_party_discrepancy", "invalid_traffic", "late_booking",
                           "make_good", "system_migration", "system_defect", "policy", "customer_error",
                           "no_error", "other"]
# `system_resolved` is recorded only by the system, for an exception whose cause went away (self-healing).
RootCause = Literal[AnalystRootCause, "system_resolved"]
ANALYST_ROOT_CAUSES: tuple[str, ...] = get_args(AnalystRootCause)
ROOT_CAUSES: tuple[str, ...] = (*ANALYST_ROOT_CAUSES, "system_resolved")


class BillingExceptionResolved(Payload):
    exception_id: Id
    resolution: Note
    resolved_by: Id
    resolved_at: datetime
    # Added with issue 22 (optional: null on events published before it).
    root_cause: RootCause | None = None


# ---- billing.disputes.v1 ----------------------------------------------------------------------
ReasonCode = Literal["rate_mismatch", "delivery_discrepancy", "invalid_traffic", "duplicate_charge",
                     "unauthorized_charge", "budget_exceeded", "missing_po", "tax", "other"]
REASON_CODES: tuple[str, ...] = get_args(ReasonCode)
DisputeOutcome = Literal["upheld", "partially_upheld", "rejected"]


class DisputedLine(Payload):
    invoice_line_id: Id
    amount: Amount


class DisputeOpened(Payload):
    dispute_id: Id
    invoice_id: Id
    invoice_number: Id
    bill_to_account_id: Id
    lines: list[DisputedLine]
    amount: Amount
    currency: Currency
    reason_code: ReasonCode
    opened_by: Id
    opened_at: datetime
    sla_due_at: datetime


class DisputeResolved(Payload):
    dispute_id: Id
    invoice_id: Id
    bill_to_account_id: Id
    outcome: DisputeOutcome
    credit_amount: Amount
    currency: Currency
    resolution_note: Note
    resolved_by: Id
    resolved_at: datetime
    # Added with issue 22 (optional: null on events published before it).
    root_cause: RootCause | None = None


class DisputeWithdrawn(Payload):
    dispute_id: Id
    invoice_id: Id
    bill_to_account_id: Id
    withdrawn_by: Id
    withdrawn_at: datetime


class DisputeReopened(Payload):
    dispute_id: Id
    invoice_id: Id
    bill_to_account_id: Id
    reason: Note
    reopened_at: datetime


# ---- billing.adjustments.v1 -------------------------------------------------------------------
class MemoLine(Payload):
    invoice_line_id: Id | None
    kind: Id
    amount: DecimalStr
    description: Description


class MemoIssued(Payload):
    memo_id: Id
    memo_number: Id
    adjustment_id: Id
    invoice_id: Id
    invoice_number: Id
    bill_to_account_id: Id
    dispute_id: Id | None
    lines: list[MemoLine]
    total: Amount
    currency: Currency
    reason_code: ReasonCode
    requested_by: Id
    approved_by: list[Id]
    issued_at: datetime
    # Added with issue 22 (optional): a dispute's credit carries the dispute's cause (counted once, there).
    root_cause: RootCause | None = None


class AdjustmentRejected(Payload):
    adjustment_id: Id
    invoice_id: Id
    bill_to_account_id: Id
    dispute_id: Id | None
    rejected_by: Id
    reason: Note
    rejected_at: datetime
    # Added with issue 22 (optional): the request's root cause, or the checker's when given on rejection.
    root_cause: RootCause | None = None


# ---- collections.payments.v1 ------------------------------------------------------------------
class PaymentApplied(Payload):
    payment_id: Id
    invoice_id: Id
    bill_to_account_id: Id
    amount: Amount
    currency: Currency
    applied_at: datetime


# ---- accounting.journal.v1 (close.md) ----------------------------------------------------------
SourceType = Literal["invoice", "credit_memo", "debit_memo", "payment", "unapplied_payment", "void", "accrual",
                     "accrual_reversal"]
SOURCE_TYPES: tuple[str, ...] = get_args(SourceType)


class JournalLine(Payload):
    """One line of a journal entry: an amount on one side of one account, with the dimensions that apply."""

    line_no: int = Field(ge=1)
    account: Id
    debit: DecimalStr
    credit: DecimalStr
    currency: Currency
    bill_to_account_id: Id | None = None
    account_id: Id | None = None
    contract_id: Id | None = None
    product_code: Id | None = None
    channel: Id | None = None
    service_period: Period | None = None
    tax_code: Id | None = None


class JournalEntryPosted(Payload):
    entry_id: Id
    source_type: SourceType
    source_id: Id
    document_number: Id | None
    posting_date: date
    posting_period: Period
    original_period: Period | None = None
    reverses_entry_id: Id | None = None
    posted_at: datetime
    lines: list[JournalLine]


class PeriodClosed(Payload):
    period: Period
    by: Id
    at: datetime
    reason: Note | None = None
    snapshot_id: Id | None = None


class PeriodReopened(Payload):
    period: Period
    by: Id
    at: datetime
    reason: Note


# Named outside EventSpec: inside it, `type` is the field, not the builtin.
PayloadModel: TypeAlias = type[Payload]


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    model: PayloadModel
    key: str  # how the Kafka key is chosen, for the docs
    summary: str


def _spec(type_: str, topic: str, model: type[Payload], key: str, summary: str) -> EventSpec:
    return EventSpec(type_, topic, model, key, summary)


_SPECS = [
    _spec("CampaignDelivered", DELIVERY_TOPIC, CampaignDelivered, "line_item_id",
          "One line item's delivery on one service date; resent, late or restated by revision."),
    _spec("ProductCreated", CONFIG_TOPIC, ProductChanged, "product code", "A new ad product (full state)."),
    _spec("ProductUpdated", CONFIG_TOPIC, ProductChanged, "product code", "An ad product changed (full state)."),
    _spec("RateCardAdded", CONFIG_TOPIC, ProductChanged, "product code",
          "A rate-card version was added to a product (full product state)."),
    _spec("ProductActivated", CONFIG_TOPIC, ProductChanged, "product code", "A product went live."),
    _spec("ProductRetired", CONFIG_TOPIC, ProductChanged, "product code", "A product was retired."),
    _spec("BillingAccountUpserted", CONFIG_TOPIC, AccountChanged, "account id",
          "A billing account was created or changed (full state)."),
    _spec("DeliverySourceRegistered", CONFIG_TOPIC, DeliverySourceChanged, "source_system",
          "A delivery source was registered or changed: the CloudEvents sources allowed to publish its "
          "deliveries (full state)."),
    _spec("ContractCreated", CONFIG_TOPIC, ContractChanged, "contract id", "A contract / IO was created."),
    _spec("ContractActivated", CONFIG_TOPIC, ContractChanged, "contract id", "A contract became active."),
    _spec("ContractAmended", CONFIG_TOPIC, ContractChanged, "contract id",
          "A contract amendment took effect (new amendment_no)."),
    _spec("ContractEnded", CONFIG_TOPIC, ContractChanged, "contract id", "A contract ended."),
    _spec("InvoiceIssued", INVOICES_TOPIC, InvoiceIssued, "bill_to_account_id", "An invoice was issued."),
    _spec("InvoiceVoided", INVOICES_TOPIC, InvoiceVoided, "bill_to_account_id", "An invoice was voided."),
    _spec("InvoiceBalanceChanged", INVOICES_TOPIC, InvoiceBalanceChanged, "bill_to_account_id",
          "The authority on receivables: an invoice's balance, status or disputed amount changed."),
    _spec("BillingExceptionRaised", EXCEPTIONS_TOPIC, BillingExceptionRaised, "account id",
          "A billing exception was raised."),
    _spec("BillingExceptionResolved", EXCEPTIONS_TOPIC, BillingExceptionResolved, "account id",
          "A billing exception was resolved (by a person or by the system)."),
    _spec("DisputeOpened", DISPUTES_TOPIC, DisputeOpened, "bill_to_account_id", "An advertiser opened a dispute."),
    _spec("DisputeResolved", DISPUTES_TOPIC, DisputeResolved, "bill_to_account_id", "A dispute was resolved."),
    _spec("DisputeWithdrawn", DISPUTES_TOPIC, DisputeWithdrawn, "bill_to_account_id", "A dispute was withdrawn."),
    _spec("DisputeReopened", DISPUTES_TOPIC, DisputeReopened, "bill_to_account_id",
          "A dispute was reopened because its settling credit was rejected."),
    _spec("CreditMemoIssued", ADJUSTMENTS_TOPIC, MemoIssued, "bill_to_account_id", "A credit memo was issued."),
    _spec("DebitMemoIssued", ADJUSTMENTS_TOPIC, MemoIssued, "bill_to_account_id", "A debit memo was issued."),
    _spec("AdjustmentRejected", ADJUSTMENTS_TOPIC, AdjustmentRejected, "bill_to_account_id",
          "An adjustment request was rejected."),
    _spec("PaymentApplied", PAYMENTS_TOPIC, PaymentApplied, "bill_to_account_id",
          "Collections applied a payment to an invoice."),
    _spec("JournalEntryPosted", ACCOUNTING_TOPIC, JournalEntryPosted, "posting period",
          "A balanced journal entry was posted to the revenue subledger (its lines per currency balance)."),
    _spec("PeriodClosed", ACCOUNTING_TOPIC, PeriodClosed, "period",
          "A period was closed: its books no longer change (invoice-svc locks it, close.md C12)."),
    _spec("PeriodReopened", ACCOUNTING_TOPIC, PeriodReopened, "period",
          "The latest closed period was reopened, with the reason."),
]

EVENT_TYPES: dict[str, EventSpec] = {s.type: s for s in _SPECS}
TOPICS: dict[str, list[str]] = {}
for _s in _SPECS:
    TOPICS.setdefault(_s.topic, []).append(_s.type)

# Who publishes each topic. A Mediabill service's events are accepted only from its own CloudEvents `source`,
# `/mediabill/<service>` (see events/sources.py); the topics fed from outside accept the source prefixes in
# EXTERNAL_SOURCES unless a deployment configures others.
INTERNAL_PRODUCERS: dict[str, str] = {
    CONFIG_TOPIC: "product-config-svc", INVOICES_TOPIC: "invoice-svc", EXCEPTIONS_TOPIC: "invoice-svc",
    DISPUTES_TOPIC: "dispute-svc", ADJUSTMENTS_TOPIC: "adjustment-svc", ACCOUNTING_TOPIC: "accounting-svc",
}
EXTERNAL_PRODUCERS: dict[str, str] = {DELIVERY_TOPIC: "upstream ad platforms", PAYMENTS_TOPIC: "collections"}
# A pattern ending in "/" accepts every source below it; any other pattern accepts exactly that source.
EXTERNAL_SOURCES: dict[str, tuple[str, ...]] = {DELIVERY_TOPIC: ("/ad-platforms/",),
                                                 PAYMENTS_TOPIC: ("/collections/",)}


def service_source(service: str) -> str:
    """The CloudEvents `source` of every event a Mediabill service publishes."""
    return f"/mediabill/{service}"


# Partition counts of the topics, used by the local stack, docker-compose and the docs.
TOPIC_PARTITIONS: dict[str, int] = {
    DELIVERY_TOPIC: 6, CONFIG_TOPIC: 3, INVOICES_TOPIC: 6, EXCEPTIONS_TOPIC: 3, DISPUTES_TOPIC: 3,
    ADJUSTMENTS_TOPIC: 3, PAYMENTS_TOPIC: 3, ACCOUNTING_TOPIC: 3,
}


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def all_topics() -> dict[str, int]:
    """Every topic with its partition count, dead-letter topics included (one partition each)."""
    topics = dict(TOPIC_PARTITIONS)
    topics.update({dlq_topic(t): 1 for t in TOPIC_PARTITIONS})
    return topics


class UnknownEventType(LookupError):
    pass


def parse_payload(event_type: str, data: dict[str, Any]) -> Payload:
    """Validate `data` against the model registered for `event_type`."""
    spec = EVENT_TYPES.get(event_type)
    if spec is None:
        raise UnknownEventType(event_type)
    return spec.model.model_validate(data)


def json_schema(event_type: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an event type's `data` payload."""
    spec = EVENT_TYPES[event_type]
    schema = spec.model.model_json_schema(mode="serialization")
    schema["title"] = event_type
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
