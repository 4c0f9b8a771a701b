"""Aggregate states carried by `billing.config.v1` (event-carried state transfer)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from mediabill_common.events.types import ID_MAX, BookedAmount, Currency, DecimalStr, Id, Name, Pct, Rate

Channel = Literal["onsite", "offsite", "in_store"]
PricingModel = Literal["cpm", "vcpm", "cpc", "cpa", "auction_cpc", "flat_fee"]
ProductStatus = Literal["draft", "live", "retired"]
AccountType = Literal["supplier", "seller", "agency", "advertiser"]
ContractStatus = Literal["draft", "active", "ended"]
BillingBasis = Literal["first_party", "third_party", "discrepancy_tolerance"]


class _State(BaseModel):
    model_config = ConfigDict(extra="allow")


class RateTier(_State):
    up_to: int | None = Field(default=None, ge=0, description="inclusive upper bound; null on the last tier")
    price: Rate


class RateCard(_State):
    effective_from: date
    currency: Currency
    price: Rate | None = None
    tiers: list[RateTier] = Field(default_factory=list)


class BillingSourceEntry(_State):
    """From `effective_from` on (a service date), deliveries of the product from `source_system` are billed; the
    other sources' records of those days are shadow (stored, never billed): oversight.md O1."""

    source_system: str = Field(min_length=1, max_length=ID_MAX)
    effective_from: date


class ProductState(_State):
    code: str = Field(min_length=1, max_length=64)
    name: Name
    channel: Channel
    pricing_model: PricingModel
    contract_priced: StrictBool = False
    gl_revenue_account: Id | None = None
    tax_code: Id | None = None
    invoice_description: Name | None = None
    status: ProductStatus = "draft"
    rate_cards: list[RateCard] = Field(default_factory=list)
    # Which delivery source bills the product over time; empty: the first source seen for a day bills it.
    billing_sources: list[BillingSourceEntry] = Field(default_factory=list, max_length=50)


class AccountState(_State):
    account_id: str = Field(max_length=ID_MAX, min_length=1)
    type: AccountType
    legal_name: Name
    currency: Currency
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    tax_rates: dict[str, Pct] = Field(default_factory=dict)
    po_required: StrictBool = False
    invoice_contact: Name | None = None
    represented_advertisers: list[Id] = Field(default_factory=list)
    # What an agency's accounts-payable needs on the documents it receives (optional: older states lack them).
    postal_address: Name | None = Field(default=None, description="postal address printed on invoices and memos")
    tax_registration_id: Id | None = Field(default=None, description="the buyer's tax registration id (VAT, EIN...)")


class ContractLine(_State):
    line_item_id: str = Field(max_length=ID_MAX, min_length=1)
    product_code: str = Field(max_length=ID_MAX, min_length=1)
    rate: Rate | None = None
    budget: BookedAmount | None = None
    fee: BookedAmount | None = None


class VersionTerms(_State):
    """The commercial terms a contract version sets (any of them), bounded as the contract's own are: pricing
    applies them over the contract state for the periods the version governs."""

    po_number: Id | None = None
    discount_pct: Pct | None = None
    agency_commission_pct: Pct | None = None
    billing_basis: BillingBasis | None = None
    discrepancy_threshold_pct: Pct | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    lines: list[ContractLine] | None = None


class ContractVersion(_State):
    amendment_no: int = Field(ge=0)
    effective_from: date
    terms: dict[str, Any] = Field(default_factory=dict, description="the terms this amendment set, each within the "
                                                                    "bounds of the contract's own")

    @field_validator("terms")
    @classmethod
    def _terms_within_bounds(cls, terms: dict[str, Any]) -> dict[str, Any]:
        # Kept as the dict it was sent as (pricing merges it over the contract state), checked like the state.
        try:
            VersionTerms.model_validate(terms)
        except ValidationError as exc:
            raise ValueError(_described(exc)) from None
        return terms


def _described(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                     for e in exc.errors()[:5])


class ContractState(_State):
    contract_id: str = Field(max_length=ID_MAX, min_length=1)
    amendment_no: int = Field(default=0, ge=0)
    status: ContractStatus = "draft"
    advertiser_account_id: Id
    bill_to_account_id: Id
    currency: Currency
    flight_start: date
    flight_end: date
    reporting_timezone: Id = "UTC"
    po_number: Id | None = None
    discount_pct: Pct | None = None
    agency_commission_pct: Pct | None = None
    billing_basis: BillingBasis = "first_party"
    discrepancy_threshold_pct: Pct | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    lines: list[ContractLine] = Field(default_factory=list)
    versions: list[ContractVersion] = Field(default_factory=list)
    advertiser_name: Name | None = None
    name: Name | None = None


__all__ = [
    "AccountState", "ContractLine", "ContractState", "ContractVersion", "DecimalStr", "ProductState",
    "RateCard", "RateTier", "VersionTerms",
]


class DeliverySourceState(_State):
    """A delivery source (oversight.md O1): the `source_system` deliveries name, and the CloudEvents `source` values
    allowed to publish them (a value ending in `/` allows every source below it)."""

    source_system: str = Field(min_length=1, max_length=ID_MAX)
    name: Name
    event_sources: list[Id] = Field(min_length=1, max_length=50)
