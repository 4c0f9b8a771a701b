"""The value a delivery record holds back while it cannot be billed, priced by the pricing engine.

The record is priced as a bill run would price it on its own: the product's pricing model, the contract line's
negotiated rate or the rate card in effect on the service date, the contract's billing basis. A record whose
product is unknown is priced as the product its contract line books, when there is one. What the engine cannot
price (no rate, third-party counts missing, no product at all) is left unpriced with its quantity and unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from invoice_svc.domain.pricing import Delivery, product_from_state, terms_in_effect
from invoice_svc.domain.pricing.basis import UNITS, counted
from invoice_svc.domain.pricing.usage import UsageContext, price_usage
from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from mediabill_common.money import fits_money_columns, round_money

# No product tells the unit: every ad delivery counts impressions.
UNKNOWN_PRODUCT_UNIT = "impressions"


@dataclass(frozen=True, slots=True)
class HeldBack:
    """What a record would bill (`amount` None: it could not be priced) and its quantity in its unit."""

    amount: Decimal | None
    currency: str | None
    quantity: int | None
    unit: str | None


def price_held_back(record: DeliveryRecord, config: BillingConfig) -> HeldBack:
    """Price one non-billable record with the engine where it can be, else give its quantity and unit."""
    contract = config.contracts.get(record.contract_id) if record.contract_id else None
    account = config.accounts.get(record.account_id)
    product = config.products.get(record.product_code) or _booked_product(record, contract, config)
    currency = _currency(record, contract, account)
    if product is None:
        return HeldBack(None, currency, record.impressions, UNKNOWN_PRODUCT_UNIT)
    if product.pricing_model == "flat_fee":  # a fee is billed whatever is delivered: a record holds nothing back
        return HeldBack(None, currency, None, None)
    if product.pricing_model == "auction_cpc" and record.media_cost is not None:
        # the auction-cleared cost is what it bills, in the currency it was cleared in
        return HeldBack(round_money(record.media_cost, record.currency or currency or "USD"),
                        record.currency or currency, record.clicks, UNITS["auction_cpc"])
    return _priced(record, product, contract, currency)


def _priced(record: DeliveryRecord, state: ProductState, contract: ContractState | None,
            currency: str | None) -> HeldBack:
    product = product_from_state(state)
    delivery = _delivery(record)
    unit = UNITS[product.pricing_model]
    quantity = counted(product.pricing_model, (delivery,))
    try:
        terms = terms_in_effect(contract, f"{record.delivery_date:%Y-%m}") if contract is not None else None
        priced_in = terms.currency if terms is not None else currency
        if priced_in is None:
            return HeldBack(None, currency, quantity, unit)
        result = price_usage(UsageContext(
            "held-back", priced_in, product, record.line_item_id, (delivery,), terms,
            terms.line(record.line_item_id) if terms is not None else None, apply_budget=False))
    except ArithmeticError:  # past decimal's 28 digits: no value, and the record is kept all the same
        return HeldBack(None, currency, quantity, unit)
    usage = [ln for ln in result.lines if ln.kind == "usage"]
    if not usage or any(e.blocks_issue for e in result.exceptions):
        return HeldBack(None, priced_in, quantity, unit)
    amount = result.billed
    # A value no money column holds is no value either: the bill run raises pricing_out_of_range for it.
    return HeldBack(amount if fits_money_columns(amount) else None, priced_in,
                    sum(ln.quantity for ln in usage), unit)


def _booked_product(record: DeliveryRecord, contract: ContractState | None,
                    config: BillingConfig) -> ProductState | None:
    """The product the contract books for the record's line item (the platform may report another code)."""
    if contract is None:
        return None
    booked = next((ln.product_code for ln in contract.lines if ln.line_item_id == record.line_item_id), None)
    return config.products.get(booked) if booked is not None else None


def _delivery(record: DeliveryRecord) -> Delivery:
    return Delivery(
        delivery_id=record.delivery_id, line_item_id=record.line_item_id, product_code=record.product_code,
        delivery_date=record.delivery_date, campaign_id=record.campaign_id, campaign_name=record.campaign_name,
        account_id=record.account_id, contract_id=record.contract_id, revision=record.revision,
        impressions=record.impressions, viewable_impressions=record.viewable_impressions, clicks=record.clicks,
        conversions=record.conversions, third_party_impressions=record.third_party_impressions,
        media_cost=record.media_cost, currency=record.currency)


def _currency(record: DeliveryRecord, contract: ContractState | None, account: AccountState | None) -> str | None:
    if contract is not None:
        return contract.currency
    if account is not None:
        return account.currency
    return record.currency
