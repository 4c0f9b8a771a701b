"""What the pricing engine is given: plain frozen values, no I/O, no ORM or pydantic objects.

`catalog.py` builds these from the catalog's config states and `CampaignDelivered` payloads; `terms.py` picks the
contract terms in effect for a period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # draft.py imports this module; the annotation is all that is needed here
    from invoice_svc.domain.pricing.draft import DraftLine

PricingModel = Literal["cpm", "vcpm", "cpc", "cpa", "auction_cpc", "flat_fee"]
BillingBasis = Literal["first_party", "third_party", "discrepancy_tolerance"]

DEFAULT_DISCREPANCY_PCT = Decimal(10)
DEFAULT_PAYMENT_TERMS_DAYS = 30

_EMPTY: Mapping[str, Decimal] = MappingProxyType({})


@dataclass(frozen=True)
class RateTier:
    """A volume tier: quantities up to `up_to` (inclusive; None = no bound) take `price` for all units."""

    up_to: int | None
    price: Decimal


@dataclass(frozen=True)
class RateCardVersion:
    """A rate-card version; in effect from `effective_from` until the next version's date."""

    effective_from: date
    currency: str
    price: Decimal | None = None
    tiers: tuple[RateTier, ...] = ()


@dataclass(frozen=True)
class Product:
    """An ad product as configured in product-config-svc (the part pricing needs)."""

    code: str
    pricing_model: PricingModel
    name: str = ""
    contract_priced: bool = False
    gl_revenue_account: str | None = None
    tax_code: str | None = None
    invoice_description: str | None = None
    rate_cards: tuple[RateCardVersion, ...] = ()


@dataclass(frozen=True)
class ContractLineTerms:
    """One contract line: its negotiated rate, budget cap and flat fee (each optional)."""

    line_item_id: str
    product_code: str
    rate: Decimal | None = None
    budget: Decimal | None = None
    fee: Decimal | None = None


@dataclass(frozen=True)
class ContractTerms:
    """A contract's terms in effect for one period (see `terms_in_effect`). Percentages are 0..100."""

    contract_id: str
    currency: str
    flight_start: date
    flight_end: date
    amendment_no: int = 0
    advertiser_account_id: str | None = None
    bill_to_account_id: str | None = None
    po_number: str | None = None
    discount_pct: Decimal | None = None
    agency_commission_pct: Decimal | None = None
    billing_basis: BillingBasis = "first_party"
    discrepancy_threshold_pct: Decimal | None = None
    payment_terms_days: int | None = None
    lines: tuple[ContractLineTerms, ...] = ()

    def line(self, line_item_id: str) -> ContractLineTerms | None:
        """The contract line for `line_item_id`, or None when the contract does not name it."""
        return next((ln for ln in self.lines if ln.line_item_id == line_item_id), None)

    @property
    def tolerance_pct(self) -> Decimal:
        """Rule 5's threshold t in percent (default 10)."""
        if self.discrepancy_threshold_pct is None:
            return DEFAULT_DISCREPANCY_PCT
        return self.discrepancy_threshold_pct


@dataclass(frozen=True)
class BillTo:
    """The paying account: its type decides agency commission, its tax rates decide tax (pct by tax code)."""

    account_id: str
    type: str
    currency: str
    tax_rates: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS

    @property
    def is_agency(self) -> bool:
        return self.type == "agency"


@dataclass(frozen=True)
class Delivery:
    """One line item's delivery on one service date, at its current revision."""

    delivery_id: str
    line_item_id: str
    product_code: str
    delivery_date: date
    campaign_id: str = ""
    campaign_name: str | None = None
    account_id: str = ""
    contract_id: str | None = None
    revision: int = 0
    impressions: int = 0
    viewable_impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    third_party_impressions: int | None = None
    media_cost: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class InvoiceGroup:
    """Everything needed to price one invoice: one (bill-to, contract, period) group.

    `billed_before` maps a contract line (`line_item_id`) to the gross amount already billed for it on earlier
    invoices: usage (prior-period adjustments included) for a usage line — it counts against the line's budget —
    or the flat-fee amounts of earlier periods for a flat-fee line. `prior_period_lines` are the delta lines
    returned by `price_prior_period_adjustment` to carry on this invoice. `line_id_seed` makes the deterministic
    `invoice_line_id`s unique per invoice (default: bill-to/contract/period).
    """

    period: str
    bill_to: BillTo
    products: Mapping[str, Product]
    deliveries: tuple[Delivery, ...] = ()
    terms: ContractTerms | None = None
    billed_before: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    prior_period_lines: tuple[DraftLine, ...] = ()
    line_id_seed: str | None = None

    @property
    def currency(self) -> str:
        """The invoice currency: the contract's, else (self-serve) the bill-to account's."""
        return self.terms.currency if self.terms is not None else self.bill_to.currency

    @property
    def seed(self) -> str:
        if self.line_id_seed:
            return self.line_id_seed
        contract = self.terms.contract_id if self.terms is not None else "-"
        return f"{self.bill_to.account_id}/{contract}/{self.period}"


@dataclass(frozen=True)
class PeriodBilled:
    """What an already-invoiced period has billed so far, per component (rule 13's baseline).

    The original invoice's own lines plus any prior-period adjustments already made for that period.
    `usage_by_line` holds usage and flat-fee amounts per contract line; `discount` and `commission` are negative
    numbers as on the invoice; `tax_by_code` is the tax per tax code. `quantity_by_line` is the usage quantity
    billed per contract line (in the line's unit), so that an adjustment carries the quantity delta.
    """

    invoice_number: str
    period: str
    usage_by_line: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    discount: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    tax_by_code: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    quantity_by_line: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class PriorPeriodCorrection:
    """A restated or late delivery for an invoiced period, to re-price with that period's terms (rule 13).

    `deliveries` are all of that period's deliveries for the group at their current revisions; `billed_to_date`
    maps a contract line to everything billed for it so far on any invoice (the budget "as it stands now");
    `line_id_seed` should be the invoice that will carry the adjustment lines.
    """

    billed: PeriodBilled
    bill_to: BillTo
    products: Mapping[str, Product]
    deliveries: tuple[Delivery, ...]
    terms: ContractTerms | None = None
    billed_to_date: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    line_id_seed: str | None = None
