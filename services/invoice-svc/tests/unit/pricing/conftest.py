"""Builders for pricing inputs, handed to the tests as the session fixture `pricing_kit`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from invoice_svc.domain.pricing import (
    BillTo,
    ContractLineTerms,
    ContractTerms,
    Delivery,
    InvoiceGroup,
    Product,
    RateCardVersion,
    RateTier,
)

D = Decimal


def product(code: str = "DISPLAY", model: str = "cpm", price: str | None = "8.00", *, cards=None,
            tax_code: str | None = None, contract_priced: bool = False, currency: str = "USD") -> Product:
    if cards is None:
        cards = () if price is None else (RateCardVersion(date(2024, 1, 1), currency, D(price)),)
    return Product(code, model, name=code.title(), contract_priced=contract_priced, tax_code=tax_code,
                   gl_revenue_account=f"4000-{code}", rate_cards=tuple(cards))


def card(day: str, price: str | None = None, tiers=(), currency: str = "USD") -> RateCardVersion:
    return RateCardVersion(date.fromisoformat(day), currency, None if price is None else D(price),
                           tuple(RateTier(up_to, D(p)) for up_to, p in tiers))


def line(line_item_id: str = "L1", product_code: str = "DISPLAY", rate: str | None = None,
         budget: str | None = None, fee: str | None = None) -> ContractLineTerms:
    return ContractLineTerms(line_item_id, product_code, None if rate is None else D(rate),
                             None if budget is None else D(budget), None if fee is None else D(fee))


def terms(*lines: ContractLineTerms, discount: str | None = None, commission: str | None = None,
          basis: str = "first_party", threshold: str | None = None, start: str = "2024-01-01",
          end: str = "2024-12-31", currency: str = "USD", payment_terms_days: int | None = None) -> ContractTerms:
    return ContractTerms(
        "IO-7", currency, date.fromisoformat(start), date.fromisoformat(end),
        discount_pct=None if discount is None else D(discount),
        agency_commission_pct=None if commission is None else D(commission), billing_basis=basis,  # type: ignore
        discrepancy_threshold_pct=None if threshold is None else D(threshold),
        payment_terms_days=payment_terms_days, lines=tuple(lines or (line(),)))


def bill_to(kind: str = "advertiser", tax_rates: dict[str, str] | None = None, currency: str = "USD",
            payment_terms_days: int = 30) -> BillTo:
    return BillTo("ACC-1", kind, currency, {k: D(v) for k, v in (tax_rates or {}).items()}, payment_terms_days)


def delivery(day: str = "2024-06-03", *, line_item_id: str = "L1", product_code: str = "DISPLAY",
             delivery_id: str | None = None, impressions: int = 0, viewable: int = 0, clicks: int = 0,
             conversions: int = 0, third_party: int | None = None, media_cost: str | None = None,
             currency: str | None = None) -> Delivery:
    return Delivery(
        delivery_id or f"{line_item_id}-{product_code}-{day}", line_item_id, product_code, date.fromisoformat(day),
        campaign_id="C-1", campaign_name="Summer", impressions=impressions, viewable_impressions=viewable,
        clicks=clicks, conversions=conversions, third_party_impressions=third_party,
        media_cost=None if media_cost is None else D(media_cost),
        currency=currency or ("USD" if media_cost is not None else None))


def group(*deliveries: Delivery, products=None, contract: ContractTerms | None = None, account: BillTo | None = None,
          period: str = "2024-06", billed: dict[str, str] | None = None, prior=()) -> InvoiceGroup:
    products = products or [product()]
    return InvoiceGroup(period, account or bill_to(), {p.code: p for p in products}, tuple(deliveries), contract,
                        {k: D(v) for k, v in (billed or {}).items()}, tuple(prior))


@pytest.fixture(scope="session")
def pricing_kit() -> SimpleNamespace:
    return SimpleNamespace(product=product, card=card, line=line, terms=terms, bill_to=bill_to,
                           delivery=delivery, group=group, D=D)
