"""Sample billing inputs for the readiness simulation: a realistic month of delivery under the product.

The product is priced as it would be once live, for a sample advertiser billed directly (no agency), in the
currency of its latest rate card (USD when it has none), on the date that rate card is in effect.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from mediabill_common.events.config_state import AccountState, ContractLine, ContractState, ProductState
from mediabill_common.events.types import period_of
from product_config_svc.domain.products import latest_rate_card

SAMPLE_ACCOUNT_ID = "SAMPLE-ADVERTISER"
SAMPLE_CONTRACT_ID = "SAMPLE-IO"
SAMPLE_LINE_ITEM_ID = "SAMPLE-LI"
SAMPLE_RATE = "5.00"  # a negotiated rate for contract-priced products
SAMPLE_FEE = "3000.00"  # a flat fee over the sample flight
SAMPLE_TAX_PCT = "10"
SAMPLE_DAYS = 3


def sample_date(product: ProductState, today: date) -> date:
    """The service date of the sample: today, or the latest rate card's first day when that is later."""
    card = latest_rate_card(product)
    return max(today, card.effective_from) if card else today


def sample_currency(product: ProductState) -> str:
    card = latest_rate_card(product)
    return card.currency if card else "USD"


def sample_account(product: ProductState, currency: str) -> AccountState:
    """An advertiser billed directly, taxed at a non-zero rate for the product's tax code (if it has one)."""
    rates = {product.tax_code: SAMPLE_TAX_PCT} if product.tax_code else {}
    return AccountState(account_id=SAMPLE_ACCOUNT_ID, type="advertiser", legal_name="Sample Advertiser Inc.",
                        currency=currency, payment_terms_days=30, tax_rates=rates, po_required=False,
                        invoice_contact="ap@sample-advertiser.example")


def sample_contract(product: ProductState, currency: str, day: date) -> ContractState | None:
    """A one-line IO for the sample month; none for auction products, which bill self-serve on account terms."""
    if product.pricing_model == "auction_cpc":
        return None
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    line = ContractLine(line_item_id=SAMPLE_LINE_ITEM_ID, product_code=product.code,
                        rate=SAMPLE_RATE if product.contract_priced else None,
                        fee=SAMPLE_FEE if product.pricing_model == "flat_fee" else None)
    terms = {"discount_pct": None, "agency_commission_pct": None, "billing_basis": "first_party",
             "discrepancy_threshold_pct": None, "payment_terms_days": 30, "po_number": None,
             "lines": [line.model_dump(mode="json")]}
    return ContractState(contract_id=SAMPLE_CONTRACT_ID, amendment_no=0, status="active",
                         advertiser_account_id=SAMPLE_ACCOUNT_ID, bill_to_account_id=SAMPLE_ACCOUNT_ID,
                         currency=currency, flight_start=first, flight_end=last, lines=[line],
                         versions=[{"amendment_no": 0, "effective_from": first, "terms": terms}])


def sample_delivery(product: ProductState, currency: str, day: date, contract_id: str | None) -> dict[str, Any]:
    """One day of delivery with the figures the product's pricing model bills on."""
    delivery = {
        "delivery_id": f"sample-{product.code}-{day.isoformat()}", "revision": 0,
        "source_system": "product-config-readiness", "account_id": SAMPLE_ACCOUNT_ID, "contract_id": contract_id,
        "campaign_id": "SAMPLE-CAMPAIGN", "line_item_id": SAMPLE_LINE_ITEM_ID,
        "campaign_name": "Go-live readiness sample", "product_code": product.code,
        "delivery_date": day.isoformat(), "impressions": 120000, "viewable_impressions": 84000, "clicks": 240,
        "conversions": 12, "third_party_impressions": 118500, "media_cost": None, "currency": None,
    }
    if product.pricing_model == "auction_cpc":
        delivery.update(media_cost="182.40", currency=currency)
    return delivery


def sample_simulation_request(product: ProductState, today: date) -> dict[str, Any]:
    """The body of invoice-svc's POST /v1/price-simulations for the readiness check."""
    day = sample_date(product, today)
    currency = sample_currency(product)
    as_live = product.model_copy(update={"status": "live"})
    contract = sample_contract(product, currency, day)
    days = [day + timedelta(days=i) for i in range(SAMPLE_DAYS) if (day + timedelta(days=i)).month == day.month]
    return {
        "period": period_of(day),
        "product": as_live.model_dump(mode="json"),
        "contract": contract.model_dump(mode="json") if contract else None,
        "bill_to": sample_account(product, currency).model_dump(mode="json"),
        "already_billed": [],
        "deliveries": [sample_delivery(product, currency, d, contract.contract_id if contract else None)
                       for d in days],
    }
