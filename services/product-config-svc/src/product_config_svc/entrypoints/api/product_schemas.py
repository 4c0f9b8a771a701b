"""Request and response bodies of the product endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.events.config_state import (
    AccountState,
    Channel,
    ContractState,
    PricingModel,
    ProductState,
    RateTier,
)
from mediabill_common.events.types import Amount, Currency, Period, Rate
from product_config_svc.domain.products import GL_ACCOUNT_FORMAT, PRODUCT_CODE_FORMAT, TAX_CODE_FORMAT


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(_In):
    reason: str | None = Field(default=None, max_length=2000, description="why (kept in the audit trail)")


class ProductCreate(Reason):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "SP-CPC", "name": "Sponsored Products", "channel": "onsite", "pricing_model": "auction_cpc",
        "gl_revenue_account": "401000-RMN", "tax_code": "ADV", "invoice_description": "Sponsored Products clicks",
        "reason": "launch of sponsored products"}]})

    # The patterns document the domain's rules (domain/products.py), which check them and name the field in a 422.
    code: str = Field(min_length=1, max_length=64, description="product code, never changes",
                      json_schema_extra={"pattern": PRODUCT_CODE_FORMAT.pattern})
    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    pricing_model: PricingModel
    contract_priced: StrictBool = Field(default=False, description="no rate card; every contract line carries a rate")
    gl_revenue_account: str | None = Field(default=None, description="4-8 digits, optional -SUFFIX (1-6 A-Z0-9)",
                                           json_schema_extra={"pattern": GL_ACCOUNT_FORMAT.pattern})
    tax_code: str | None = Field(default=None, json_schema_extra={"pattern": TAX_CODE_FORMAT.pattern})
    invoice_description: str | None = None


class BillingSourceIn(_In):
    source_system: str = Field(min_length=1, max_length=200, description="a registered delivery source")
    effective_from: date = Field(description="first service date this source bills")


class ProductPatch(Reason):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "invoice_description": "Sponsored Products - cost per click", "reason": "clearer invoice text"}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    channel: Channel | None = None
    pricing_model: PricingModel | None = None
    contract_priced: StrictBool | None = None
    gl_revenue_account: str | None = None
    tax_code: str | None = None
    invoice_description: str | None = None
    billing_sources: list[BillingSourceIn] | None = Field(
        default=None, max_length=50,
        description="which delivery source bills the product from each effective date (oversight.md O1); the "
                    "whole list, replacing the held one; a change taking effect in or before an invoiced period "
                    "is refused (409)")


class RateCardCreate(Reason):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "effective_from": "2026-04-01", "currency": "USD", "price": "6.00",
        "tiers": [{"up_to": 1000000, "price": "6.00"}, {"up_to": None, "price": "5.50"}]}]})

    effective_from: date = Field(description="first service date the version prices")
    currency: Currency
    price: Rate | None = Field(default=None, description="rate per unit (per 1000 for cpm/vcpm)")
    tiers: list[RateTier] = Field(default_factory=list, description="all-units volume tiers, up_to inclusive, "
                                                                    "the last open (null)")


class ProductView(ProductState):
    state_version: int = Field(description="increases by one per change; the ETag")


class ProductPage(BaseModel):
    items: list[ProductView]
    next_cursor: str | None = None


class PriceInEffect(BaseModel):
    code: str
    on: date
    currency: Currency
    effective_from: date
    price: Rate | None
    tiers: list[RateTier]


class ReadinessItemView(BaseModel):
    item: str
    passed: bool
    reason: str


class Readiness(BaseModel):
    code: str
    status: str
    ready: bool = Field(description="every item passes")
    items: list[ReadinessItemView]


class AlreadyBilled(_In):
    line_item_id: str
    amount: Amount


class SimulateRequest(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "deliveries": [{"delivery_id": "d-1", "revision": 0, "source_system": "pio", "account_id": "ADV-1",
                        "contract_id": None, "campaign_id": "C-1", "line_item_id": "L-1",
                        "product_code": "SP-CPC", "delivery_date": "2026-03-14", "impressions": 100000,
                        "viewable_impressions": 70000, "clicks": 300, "conversions": 9,
                        "media_cost": "250.00", "currency": "USD"}],
        "bill_to_account_id": "ADV-1"}]})

    deliveries: list[CampaignDelivered] = Field(min_length=1, description="CampaignDelivered data to price")
    period: Period | None = Field(default=None, description="default: the first delivery's month")
    contract: ContractState | None = Field(default=None, description="contract terms to price under, inline")
    contract_id: str | None = Field(default=None, description="or an existing contract")
    bill_to: AccountState | None = Field(default=None, description="the bill-to account, inline")
    bill_to_account_id: str | None = Field(default=None, description="or an existing account; default: the "
                                                                      "contract's bill-to, else a sample one")
    already_billed: list[AlreadyBilled] = Field(default_factory=list)


def product_view(state: ProductState, version: int) -> dict[str, Any]:
    return {**state.model_dump(mode="json"), "state_version": version}
