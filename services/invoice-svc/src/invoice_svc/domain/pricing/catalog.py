"""Engine inputs from the event catalog's shapes (config states and `CampaignDelivered` payloads)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from invoice_svc.domain.pricing.inputs import (
    BillTo,
    ContractLineTerms,
    ContractTerms,
    Delivery,
    Product,
    RateCardVersion,
    RateTier,
)
from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.events.config_state import AccountState, ContractState, ProductState


def product_from_state(state: ProductState) -> Product:
    """The pricing view of a product state (rate cards sorted by effective date)."""
    cards = tuple(sorted(
        (RateCardVersion(rc.effective_from, rc.currency, rc.price,
                         tuple(RateTier(t.up_to, t.price) for t in rc.tiers)) for rc in state.rate_cards),
        key=lambda rc: rc.effective_from,
    ))
    return Product(code=state.code, pricing_model=state.pricing_model, name=state.name,
                   contract_priced=state.contract_priced, gl_revenue_account=state.gl_revenue_account,
                   tax_code=state.tax_code, invoice_description=state.invoice_description, rate_cards=cards)


def bill_to_from_state(state: AccountState) -> BillTo:
    """The pricing view of the paying account."""
    return BillTo(account_id=state.account_id, type=state.type, currency=state.currency,
                  tax_rates=MappingProxyType(dict(state.tax_rates)), payment_terms_days=state.payment_terms_days)


def terms_from_state(state: ContractState) -> ContractTerms:
    """A contract state taken as it stands (use `terms_in_effect` to pick the version for a period)."""
    lines = tuple(ContractLineTerms(ln.line_item_id, ln.product_code, ln.rate, ln.budget, ln.fee)
                  for ln in state.lines)
    return ContractTerms(
        contract_id=state.contract_id, currency=state.currency, flight_start=state.flight_start,
        flight_end=state.flight_end, amendment_no=state.amendment_no,
        advertiser_account_id=state.advertiser_account_id, bill_to_account_id=state.bill_to_account_id,
        po_number=state.po_number, discount_pct=state.discount_pct,
        agency_commission_pct=state.agency_commission_pct, billing_basis=state.billing_basis,
        discrepancy_threshold_pct=state.discrepancy_threshold_pct, payment_terms_days=state.payment_terms_days,
        lines=lines,
    )


def delivery_from_event(event: CampaignDelivered) -> Delivery:
    """A delivery record (one revision of one line item's day) as the engine prices it."""
    return Delivery(
        delivery_id=event.delivery_id, line_item_id=event.line_item_id, product_code=event.product_code,
        delivery_date=event.delivery_date, campaign_id=event.campaign_id, campaign_name=event.campaign_name,
        account_id=event.account_id, contract_id=event.contract_id, revision=event.revision,
        impressions=event.impressions, viewable_impressions=event.viewable_impressions, clicks=event.clicks,
        conversions=event.conversions, third_party_impressions=event.third_party_impressions,
        media_cost=event.media_cost, currency=event.currency,
    )


# Converters of a config state's wire form (JSON as `model_dump(mode="json")` gives it: decimal strings, ISO dates)
# that was validated against its model when it arrived. They read the fields pricing needs without re-validating
# the whole state: a bill run reads 100,000s of them, and pydantic's decimal validators were most of the cost.
# They give exactly what `bill_to_from_state` / `terms_from_state` give for `Model.model_validate(state)`.


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """The model's defaults, for a key a state stored before the field existed does not have (the optional
    fields read with a plain `.get` default to None in the models)."""
    return {name: f.get_default(call_default_factory=True) for name, f in model.model_fields.items()
            if not f.is_required()}


_ACCOUNT_DEFAULTS = _defaults(AccountState)
_CONTRACT_DEFAULTS = _defaults(ContractState)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def bill_to_from_wire(state: Mapping[str, Any]) -> BillTo:
    """`bill_to_from_state` of an account state in its (validated) wire form."""
    rates = state.get("tax_rates", _ACCOUNT_DEFAULTS["tax_rates"]) or {}
    return BillTo(account_id=state["account_id"], type=state["type"], currency=state["currency"],
                  tax_rates=MappingProxyType({code: Decimal(pct) for code, pct in rates.items()}),
                  payment_terms_days=state.get("payment_terms_days", _ACCOUNT_DEFAULTS["payment_terms_days"]))


def terms_from_wire(state: Mapping[str, Any]) -> ContractTerms:
    """`terms_from_state` of a contract state in its (validated) wire form."""
    get, default = state.get, _CONTRACT_DEFAULTS
    lines = tuple(ContractLineTerms(ln["line_item_id"], ln["product_code"], _decimal(ln.get("rate")),
                                    _decimal(ln.get("budget")), _decimal(ln.get("fee")))
                  for ln in get("lines") or ())
    return ContractTerms(
        contract_id=state["contract_id"], currency=state["currency"], flight_start=_date(state["flight_start"]),
        flight_end=_date(state["flight_end"]), amendment_no=get("amendment_no", default["amendment_no"]),
        advertiser_account_id=state["advertiser_account_id"], bill_to_account_id=state["bill_to_account_id"],
        po_number=get("po_number"), discount_pct=_decimal(get("discount_pct")),
        agency_commission_pct=_decimal(get("agency_commission_pct")),
        billing_basis=get("billing_basis", default["billing_basis"]),
        discrepancy_threshold_pct=_decimal(get("discrepancy_threshold_pct")),
        payment_terms_days=get("payment_terms_days"), lines=lines,
    )
