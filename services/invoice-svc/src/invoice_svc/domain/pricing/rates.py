"""Rule 4: the rate in effect -- a contract line's negotiated rate, else the rate-card version of the delivery date,
with all-units volume tiers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from invoice_svc.domain.pricing.inputs import Product, RateCardVersion


def rate_card_on(product: Product, day: date) -> RateCardVersion | None:
    """The rate-card version in effect on `day`: the latest whose `effective_from` is on or before it."""
    in_effect = [rc for rc in product.rate_cards if rc.effective_from <= day]
    return max(in_effect, key=lambda rc: rc.effective_from) if in_effect else None


def card_price(card: RateCardVersion, quantity: int) -> Decimal | None:
    """The card's price for a period quantity. Tiers are all-units: the whole quantity takes the price of the
    first tier whose `up_to` (inclusive) it does not exceed; past every bound, the last tier's price. A card
    without tiers has one `price` (None when it has neither: the rate is missing)."""
    if not card.tiers:
        return card.price
    for tier in card.tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return tier.price
    return card.tiers[-1].price
