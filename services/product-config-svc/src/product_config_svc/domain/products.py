"""Ad products and their effective-dated rate cards.

Rate-card versions are append-only: per currency, each new version must take effect after the latest one, and a
live product only gets versions from today on, so the price billed for a past date never changes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from mediabill_common.events.config_state import ProductState, RateCard
from product_config_svc.domain.errors import FieldProblem, RuleViolation, raise_if_any, validated

# GL revenue account format: 4 to 8 digits, optionally a hyphen and a 1-6 character upper-case sub-ledger suffix,
# e.g. "4010", "40100000", "401000-RMN". This is what the general ledger import accepts.
GL_ACCOUNT_FORMAT = re.compile(r"^\d{4,8}(-[A-Z0-9]{1,6})?$")
PRODUCT_CODE_FORMAT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TAX_CODE_FORMAT = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
# Pricing models whose gross is quantity x rate: they need a rate card or contract pricing.
RATED_MODELS = frozenset({"cpm", "vcpm", "cpc", "cpa"})
MAX_DESCRIPTION = 200


def product_problems(product: ProductState) -> list[FieldProblem]:
    """Field rules every product version must satisfy, draft or live."""
    problems: list[FieldProblem] = []
    if not PRODUCT_CODE_FORMAT.match(product.code):
        problems.append(FieldProblem("code", "must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                                             "letter or digit"))
    if not product.name.strip():
        problems.append(FieldProblem("name", "must not be blank"))
    if product.gl_revenue_account is not None and not GL_ACCOUNT_FORMAT.match(product.gl_revenue_account):
        problems.append(FieldProblem("gl_revenue_account", gl_format_message(product.gl_revenue_account)))
    if product.tax_code is not None and not TAX_CODE_FORMAT.match(product.tax_code):
        problems.append(FieldProblem("tax_code", "must be 1-32 letters, digits, '.', '_' or '-'"))
    if product.invoice_description is not None and len(product.invoice_description) > MAX_DESCRIPTION:
        problems.append(FieldProblem("invoice_description", f"must be at most {MAX_DESCRIPTION} characters"))
    if product.contract_priced and product.pricing_model not in RATED_MODELS:
        problems.append(FieldProblem("contract_priced", f"only {', '.join(sorted(RATED_MODELS))} products can be "
                                                        f"contract priced; {product.pricing_model} has no rate"))
    if product.contract_priced and product.rate_cards:
        problems.append(FieldProblem("contract_priced", "a contract-priced product carries no rate card, and this "
                                                        "one already has rate-card versions"))
    return problems


def gl_format_message(value: str) -> str:
    return (f"'{value}' is not a GL revenue account: use 4-8 digits, optionally followed by '-' and a 1-6 "
            "character upper-case suffix (e.g. 4010 or 401000-RMN)")


def validate_product(product: ProductState) -> ProductState:
    """Return `product` if it satisfies the field rules, else raise InvalidConfiguration listing every problem."""
    raise_if_any(product_problems(product))
    return product


def rate_card_problems(card: RateCard) -> list[FieldProblem]:
    """A version needs a positive price or a valid all-units tier table (inclusive `up_to`, last one open)."""
    problems: list[FieldProblem] = []
    if card.price is None and not card.tiers:
        problems.append(FieldProblem("price", "a rate-card version needs a price or tiers"))
    if card.price is not None and card.price <= 0:
        problems.append(FieldProblem("price", "must be greater than 0"))
    previous: int | None = None
    for i, tier in enumerate(card.tiers):
        last = i == len(card.tiers) - 1
        if tier.price <= 0:
            problems.append(FieldProblem(f"tiers[{i}].price", "must be greater than 0"))
        if last and tier.up_to is not None:
            problems.append(FieldProblem(f"tiers[{i}].up_to", "the last tier must be open-ended (up_to null)"))
        if not last and tier.up_to is None:
            problems.append(FieldProblem(f"tiers[{i}].up_to", "only the last tier may be open-ended"))
        if tier.up_to is not None and previous is not None and tier.up_to <= previous:
            problems.append(FieldProblem(f"tiers[{i}].up_to", f"must be greater than the previous tier's "
                                                              f"up_to ({previous})"))
        previous = tier.up_to if tier.up_to is not None else previous
    return problems


def add_rate_card(product: ProductState, card: RateCard, *, today: date) -> ProductState:
    """A new product state with `card` appended; refuses what would rewrite a price already in effect."""
    if product.status == "retired":
        raise RuleViolation(f"product {product.code} is retired; it takes no new rate cards")
    if product.pricing_model not in RATED_MODELS:
        raise RuleViolation(f"{product.pricing_model} products are not priced from a rate card "
                            f"({_why_no_rate_card(product.pricing_model)})")
    if product.contract_priced:
        raise RuleViolation(f"product {product.code} is contract priced: every contract line carries the rate, "
                            "so it has no rate card")
    raise_if_any(rate_card_problems(card))
    same_currency = [c for c in product.rate_cards if c.currency == card.currency]
    latest = max((c.effective_from for c in same_currency), default=None)
    if latest is not None and card.effective_from <= latest:
        raise RuleViolation(
            f"rate-card versions are never changed once recorded: the latest {card.currency} version takes effect "
            f"{latest.isoformat()}, so a new one must take effect after that date")
    if product.status == "live" and card.effective_from < today:
        raise RuleViolation(
            f"product {product.code} is live: a new rate-card version cannot take effect in the past "
            f"({card.effective_from.isoformat()} is before today, {today.isoformat()}); prices already in effect "
            "are never rewritten")
    cards = sorted([*product.rate_cards, card], key=lambda c: (c.effective_from, c.currency))
    return product.model_copy(update={"rate_cards": cards})


def _why_no_rate_card(model: str) -> str:
    if model == "auction_cpc":
        return "auction_cpc bills the auction-cleared media cost"
    return "flat-fee contracts carry the fee"


def price_on(product: ProductState, day: date, currency: str | None = None) -> RateCard | None:
    """The rate-card version in effect on `day` (the latest one effective on or before it), per currency.

    Without `currency`, the product's only currency is used; with several currencies a currency is required.
    """
    cards = [c for c in product.rate_cards if currency is None or c.currency == currency]
    if currency is None and len({c.currency for c in cards}) > 1:
        raise_if_any([FieldProblem("currency", "this product has rate cards in "
                                               f"{', '.join(sorted({c.currency for c in cards}))}; name one")])
    effective = [c for c in cards if c.effective_from <= day]
    return max(effective, key=lambda c: c.effective_from, default=None)


def latest_rate_card(product: ProductState) -> RateCard | None:
    """The most recently effective-dated version (any currency), used to pick a sample currency."""
    return max(product.rate_cards, key=lambda c: c.effective_from, default=None)


def activate(product: ProductState, failing: list[str]) -> ProductState:
    """draft -> live, only when no readiness item fails (`failing` lists the failing items' reasons)."""
    if product.status != "draft":
        raise RuleViolation(f"product {product.code} is {product.status}; only a draft product can be activated")
    if failing:
        raise RuleViolation(f"product {product.code} is not ready to go live: {len(failing)} readiness item(s) "
                            f"fail: " + "; ".join(failing))
    return product.model_copy(update={"status": "live"})


def retire(product: ProductState, contracts_using_it: list[str]) -> ProductState:
    """live -> retired, refused while active contracts still bill it."""
    if product.status != "live":
        raise RuleViolation(f"product {product.code} is {product.status}; only a live product can be retired")
    if contracts_using_it:
        raise RuleViolation(f"product {product.code} is still billed by active contract(s) "
                            f"{', '.join(sorted(contracts_using_it))}; end or amend them first")
    return product.model_copy(update={"status": "retired"})


# Fields a live product keeps fixed: changing them would re-price deliveries already billed.
FROZEN_WHEN_LIVE = ("pricing_model", "contract_priced", "channel")


def update_product(product: ProductState, changes: dict[str, Any]) -> ProductState:
    """Apply a partial update; refuses changes that a product's status does not allow."""
    if "code" in changes and changes["code"] != product.code:
        raise RuleViolation("a product's code never changes; create a new product instead")
    if product.status == "retired":
        raise RuleViolation(f"product {product.code} is retired and can no longer be changed")
    if product.status == "live":
        frozen = [f for f in FROZEN_WHEN_LIVE if f in changes and changes[f] != getattr(product, f)]
        if frozen:
            raise RuleViolation(f"product {product.code} is live: {', '.join(frozen)} cannot change; create a new "
                                "product and retire this one")
    updated = validated(ProductState, {**product.model_dump(mode="json"), **changes})
    validate_product(updated)
    if updated.status == "live":
        from product_config_svc.domain.readiness import static_items

        failing = [i for i in static_items(updated) if not i.passed]
        if failing:
            raise RuleViolation(f"product {product.code} is live and must stay billable: "
                                + "; ".join(i.reason for i in failing))
    return updated
