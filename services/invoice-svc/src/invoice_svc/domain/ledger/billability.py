"""Whether a delivery record can be billed with the configuration known now, and why not."""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.domain.ledger.held_back import price_held_back
from invoice_svc.domain.ledger.records import Billability, BillingConfig, DeliveryRecord
from invoice_svc.domain.ledger.sources import SOURCE_CONFLICT, BillingSource, source_role
from mediabill_common.events.config_state import ContractState, ProductState

_THIRD_PARTY_BASES = {"third_party", "discrepancy_tolerance"}
_NEEDS_NO_RATE = {"auction_cpc", "flat_fee"}
SHADOW = Billability((), None, None, shadow=True)


def check_billability(record: DeliveryRecord, config: BillingConfig,
                      billing: BillingSource | None = None) -> Billability:
    """Check a record against the configuration and its day's billing source (`sources.billing_sources`; None:
    no source has claimed the day): the exception kinds it raises and, for a record that cannot be billed, what it
    holds back (`held_back.price_held_back`).

    Self-serve records (no contract) are billed on the advertiser account's terms, so the account must exist.
    A record of a source the product does not name for its day is shadow: kept, never billed, and checked no
    further (a shadow source raises no exception). Where the product names no source for the day, a record from
    another source than the first one seen raises `source_conflict` (and whatever else it fails): it would bill
    the day a second time.
    """
    product = config.products.get(record.product_code)
    role = source_role(record, product.billing_sources if product is not None else (), billing)
    if role == "shadow":
        return SHADOW
    account = config.accounts.get(record.account_id)
    contract = config.contracts.get(record.contract_id) if record.contract_id else None
    kinds: list[str] = []
    if product is None:
        kinds.append("unknown_product")
    elif product.status != "live":
        kinds.append("product_not_live")
    if account is None:
        kinds.append("unknown_account")
    if record.contract_id and contract is None:
        kinds.append("unknown_contract")
    if contract is not None and not contract.flight_start <= record.delivery_date <= contract.flight_end:
        kinds.append("outside_flight")
    terms_currency = contract.currency if contract is not None else account.currency if account else None
    if record.media_cost is not None and terms_currency and record.currency != terms_currency:
        kinds.append("currency_mismatch")
    if product is not None:
        kinds.extend(_product_rule_kinds(record, product, contract))
    other = billing if role == "conflict" else None
    if other is not None:
        kinds.append(SOURCE_CONFLICT)
    if not kinds:
        return Billability((), None, None)
    held = price_held_back(record, config)
    return Billability(tuple(kinds), held.amount, held.currency, held.quantity, held.unit, other)


def _product_rule_kinds(record: DeliveryRecord, product: ProductState, contract: ContractState | None) \
        -> list[str]:
    kinds = []
    if product.pricing_model == "auction_cpc" and record.media_cost is None:
        kinds.append("missing_media_cost")
    if product.pricing_model not in _NEEDS_NO_RATE and (record.contract_id is None or contract is not None) \
            and rate_in_effect(record, product, contract) is None:
        kinds.append("missing_rate")
    if (product.pricing_model == "cpm" and contract is not None and contract.billing_basis in _THIRD_PARTY_BASES
            and record.third_party_impressions is None):
        kinds.append("missing_third_party_counts")
    return kinds


def rate_in_effect(record: DeliveryRecord, product: ProductState, contract: ContractState | None) \
        -> tuple[Decimal, str] | None:
    """The contract line's negotiated rate, else the rate-card price in effect on the service date.

    A tiered rate card gives its first tier's price (the period's volume picks the tier): enough to tell that a
    rate is in effect, which is all ingestion asks of it.
    """
    if contract is not None:
        for line in contract.lines:
            if line.line_item_id == record.line_item_id and line.rate is not None:
                return line.rate, contract.currency
    if product.contract_priced:
        return None
    cards = [c for c in product.rate_cards if c.effective_from <= record.delivery_date]
    if not cards:
        return None
    card = max(cards, key=lambda c: c.effective_from)
    price = card.price if card.price is not None else (card.tiers[0].price if card.tiers else None)
    return (price, card.currency) if price is not None else None
