"""Whether a delivery record can be billed with the configuration known now, and why not."""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.domain.ledger.records import Billability, BillingConfig, DeliveryRecord
from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from mediabill_common.money import fits_money_columns, round_money

_THIRD_PARTY_BASES = {"third_party", "discrepancy_tolerance"}
_NEEDS_NO_RATE = {"auction_cpc", "flat_fee"}
_QUANTITY_FIELD = {"cpm": "impressions", "vcpm": "viewable_impressions", "cpc": "clicks", "cpa": "conversions"}
_PER_THOUSAND = {"cpm", "vcpm"}


def check_billability(record: DeliveryRecord, config: BillingConfig) -> Billability:
    """Check a record against the configuration: the exception kinds it raises and the amount at risk.

    Self-serve records (no contract) are billed on the advertiser account's terms, so the account must exist.
    """
    product = config.products.get(record.product_code)
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
    amount, currency = estimate_amount_at_risk(record, product, contract, account)
    return Billability(tuple(kinds), amount, currency)


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

    A tiered rate card gives its first tier's price: the period's volume, which picks the tier, is not
    known from one record, so this is an estimate for exposure, not the billed price.
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


def estimate_amount_at_risk(record: DeliveryRecord, product: ProductState | None, contract: ContractState | None,
                            account: AccountState | None) -> tuple[Decimal | None, str | None]:
    """What the record would bill, where it can be estimated: media cost for auction, else quantity x rate
    (None when that is past what an amount can be)."""
    if record.media_cost is not None and (product is None or product.pricing_model == "auction_cpc"):
        return round_money(record.media_cost, record.currency or "USD"), record.currency
    if product is None or product.pricing_model not in _QUANTITY_FIELD:
        return None, _fallback_currency(record, contract, account)
    found = rate_in_effect(record, product, contract)
    if found is None:
        return None, _fallback_currency(record, contract, account)
    rate, currency = found
    quantity = Decimal(getattr(record, _QUANTITY_FIELD[product.pricing_model]))
    if product.pricing_model in _PER_THOUSAND:
        quantity = quantity / 1000
    try:
        amount = round_money(quantity * rate, currency)
    except ArithmeticError:  # past decimal's 28 digits: no estimate, and the record is kept all the same
        return None, currency
    # An estimate no money column holds is no estimate either: the bill run raises pricing_out_of_range for it.
    return (amount if fits_money_columns(amount) else None), currency


def _fallback_currency(record: DeliveryRecord, contract: ContractState | None, account: AccountState | None) \
        -> str | None:
    if contract is not None:
        return contract.currency
    if account is not None:
        return account.currency
    return record.currency
