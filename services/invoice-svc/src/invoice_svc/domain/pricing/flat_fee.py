"""Rule 6: a flat fee spread evenly over the flight's days, months adding up to the fee exactly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from invoice_svc.domain.pricing.draft import DraftLine, PricingException, line_id
from invoice_svc.domain.pricing.inputs import ContractLineTerms, ContractTerms, Product
from invoice_svc.domain.pricing.rates import rate_card_on
from invoice_svc.domain.pricing.terms import flight_days, period_bounds
from mediabill_common.money import round_money


@dataclass(frozen=True)
class FlatFeeContext:
    seed: str
    period: str
    terms: ContractTerms
    contract_line: ContractLineTerms
    product: Product
    billed_before: Decimal = Decimal(0)


def fee_of(ctx: FlatFeeContext) -> Decimal | None:
    """The line's fee: its `fee`, else its `rate`, else the rate-card price in effect on the flight's first day."""
    line = ctx.contract_line
    if line.fee is not None:
        return line.fee
    if line.rate is not None:
        return line.rate
    if ctx.product.contract_priced:
        return None
    card = rate_card_on(ctx.product, ctx.terms.flight_start)
    return card.price if card is not None and card.currency == ctx.terms.currency else None


def price_flat_fee(ctx: FlatFeeContext) -> tuple[list[DraftLine], list[PricingException]]:
    """This period's flat-fee line: round(fee x flight days elapsed by the period's end / flight days) minus what
    earlier periods billed. Quantity is the flight's days inside the period; no delivery needed; no budget."""
    fee = fee_of(ctx)
    code, line_item = ctx.product.code, ctx.contract_line.line_item_id
    if fee is None:
        return [], [PricingException("missing_rate", f"Line {line_item}: flat-fee product {code} has no fee.",
                                     line_item, (("product_code", code),))]
    first, last = period_bounds(ctx.period)
    start, end = ctx.terms.flight_start, ctx.terms.flight_end
    total_days = flight_days(start, end)
    if total_days == 0:
        return [], []
    elapsed = flight_days(start, min(last, end))
    in_period = flight_days(max(first, start), min(last, end))
    currency = ctx.terms.currency
    amount = round_money(fee * elapsed / total_days, currency) - ctx.billed_before
    if in_period == 0 and amount == 0:
        return [], []
    name = ctx.product.invoice_description or ctx.product.name or code
    line = DraftLine(
        invoice_line_id=line_id(ctx.seed, "flat_fee", line_item, code), kind="flat_fee",
        description=f"{name} - {line_item} ({in_period} of {total_days} flight days)", amount=amount,
        quantity=in_period, unit="days", unit_price=round_money(fee / total_days, currency), price_base_quantity=1,
        product_code=code, gl_revenue_account=ctx.product.gl_revenue_account, line_item_id=line_item,
        tax_code=ctx.product.tax_code)
    return [line], []
