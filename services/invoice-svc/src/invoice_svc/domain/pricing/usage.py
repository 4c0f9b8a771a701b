"""Usage lines of one contract line for one period: quantity, rate, gross (rules 3-5, 7) and the budget cap (8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypedDict

from invoice_svc.domain.pricing import basis
from invoice_svc.domain.pricing.draft import DraftLine, PricingException, line_id
from invoice_svc.domain.pricing.inputs import ContractLineTerms, ContractTerms, Delivery, Product, RateCardVersion
from invoice_svc.domain.pricing.rates import card_price, rate_card_on
from mediabill_common.money import round_half_up_int, round_money


@dataclass(frozen=True)
class UsageContext:
    """One (contract line, product)'s deliveries of a period and what it needs to price them."""

    seed: str
    currency: str
    product: Product
    line_item_id: str
    deliveries: tuple[Delivery, ...]
    terms: ContractTerms | None = None
    contract_line: ContractLineTerms | None = None
    billed_before: Decimal = Decimal(0)
    apply_budget: bool = True


@dataclass(frozen=True)
class Segment:
    """Deliveries priced at one rate (one rate-card version, or the contract rate)."""

    key: str
    deliveries: tuple[Delivery, ...]
    quantity: int = 0
    price: Decimal = Decimal(0)
    gross: Decimal = Decimal(0)  # exact, unrounded


@dataclass
class UsageResult:
    lines: list[DraftLine] = field(default_factory=list)
    exceptions: list[PricingException] = field(default_factory=list)

    @property
    def billed(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "usage"), Decimal(0))


def price_usage(ctx: UsageContext) -> UsageResult:
    """Price one contract line's period deliveries: one usage line per rate segment, capped by the budget.

    Business conditions (missing rate, missing third-party counts or media cost, currency mismatch) leave the
    line unbilled and come back as exceptions; reaching the budget adds `over_delivery` lines and an
    informational `budget_exhausted`.
    """
    result = UsageResult()
    if ctx.product.pricing_model == "auction_cpc":
        segments = _auction_segments(ctx, result)
    else:
        segments = _rated_segments(ctx, result)
    if segments is None:
        return result
    _bill_segments(ctx, segments, result)
    return result


def _problem(ctx: UsageContext, kind: str, message: str, **refs: str | None) -> PricingException:
    refs = {"product_code": ctx.product.code, **refs}
    return PricingException(kind, message, ctx.line_item_id, tuple(sorted(refs.items())))


def _auction_segments(ctx: UsageContext, result: UsageResult) -> list[Segment] | None:
    """Auction CPC: gross is the sum of auction-cleared media cost, in the invoice currency."""
    no_cost = [d.delivery_id for d in ctx.deliveries if d.media_cost is None]
    if no_cost:
        result.exceptions.append(_problem(ctx, "missing_media_cost", f"Line {ctx.line_item_id}: auction-priced "
                                          f"deliveries without media_cost: {', '.join(no_cost)}.",
                                          delivery_ids=",".join(no_cost)))
        return None
    other = sorted({d.currency or "" for d in ctx.deliveries} - {ctx.currency})
    if other:
        result.exceptions.append(_problem(ctx, "currency_mismatch", f"Line {ctx.line_item_id}: media cost in "
                                          f"{', '.join(other)} on an invoice in {ctx.currency}.",
                                          currency=",".join(other)))
        return None
    clicks = basis.counted("auction_cpc", ctx.deliveries)
    gross = sum((d.media_cost for d in ctx.deliveries if d.media_cost is not None), Decimal(0))
    # The shown unit price is the average cost per click (informational); the amount is the media cost.
    price = round_money(gross / clicks, ctx.currency) if clicks else round_money(Decimal(0), ctx.currency)
    return [Segment("auction", ctx.deliveries, clicks, price, gross)]


def _rated_segments(ctx: UsageContext, result: UsageResult) -> list[Segment] | None:
    """Group deliveries by the rate they take, then apply the billing basis and tiers on the period total."""
    model = ctx.product.pricing_model
    grouped = _group_by_rate(ctx, result)
    if grouped is None:
        return None
    quantities = [basis.counted(model, seg) for _, seg, _ in grouped]
    if model == "cpm":
        by_basis = _basis_quantities(ctx, [seg for _, seg, _ in grouped], result)
        if by_basis is None:
            return None
        quantities = by_basis
    total = sum(quantities)
    segments = []
    for (key, seg, rate), quantity in zip(grouped, quantities, strict=True):
        price = rate if isinstance(rate, Decimal) else card_price(rate, total)
        if price is None:
            result.exceptions.append(_problem(ctx, "missing_rate", f"Line {ctx.line_item_id}: the rate card "
                                              f"effective {key} has no price.", effective_from=key))
            return None
        gross = Decimal(quantity) * price / basis.price_base(model)
        segments.append(Segment(key, seg, quantity, price, gross))
    return segments


def _group_by_rate(ctx: UsageContext, result: UsageResult) \
        -> list[tuple[str, tuple[Delivery, ...], RateCardVersion | Decimal]] | None:
    """[(segment key, deliveries, rate card or the contract line's rate)] in date order, or None."""
    ordered = tuple(sorted(ctx.deliveries, key=lambda d: (d.delivery_date, d.delivery_id)))
    if ctx.contract_line is not None and ctx.contract_line.rate is not None:
        return [("contract", ordered, ctx.contract_line.rate)]
    if ctx.product.contract_priced:
        result.exceptions.append(_problem(ctx, "missing_rate", f"Line {ctx.line_item_id}: product "
                                          f"{ctx.product.code} is contract-priced and the line has no rate."))
        return None
    groups: dict[date, list[Delivery]] = {}
    undated: list[str] = []
    cards: dict[date, RateCardVersion] = {}
    for d in ordered:
        card = rate_card_on(ctx.product, d.delivery_date)
        if card is None:
            undated.append(d.delivery_date.isoformat())
            continue
        cards[card.effective_from] = card
        groups.setdefault(card.effective_from, []).append(d)
    if undated:
        result.exceptions.append(_problem(ctx, "missing_rate", f"Line {ctx.line_item_id}: no rate card of "
                                          f"{ctx.product.code} in effect on {', '.join(sorted(set(undated)))}.",
                                          delivery_dates=",".join(sorted(set(undated)))))
        return None
    wrong = sorted({c.currency for c in cards.values()} - {ctx.currency})
    if wrong:
        result.exceptions.append(_problem(ctx, "currency_mismatch", f"Line {ctx.line_item_id}: rate card in "
                                          f"{', '.join(wrong)} on an invoice in {ctx.currency}.",
                                          currency=",".join(wrong)))
        return None
    return [(day.isoformat(), tuple(groups[day]), cards[day]) for day in sorted(groups)]


def _basis_quantities(ctx: UsageContext, segments: Sequence[Sequence[Delivery]],
                      result: UsageResult) -> list[int] | None:
    chosen = ctx.terms.billing_basis if ctx.terms is not None else "first_party"
    if chosen != "first_party":
        lacking = basis.lacking_third_party([d for seg in segments for d in seg])
        if lacking:
            result.exceptions.append(_problem(
                ctx, "missing_third_party_counts", f"Line {ctx.line_item_id}: billing basis {chosen} needs "
                f"third-party impressions, missing on {', '.join(lacking)}.", delivery_ids=",".join(lacking)))
            return None
    tolerance = ctx.terms.tolerance_pct if ctx.terms is not None else Decimal(10)
    return basis.billable_impressions(chosen, tolerance, segments)


def _bill_segments(ctx: UsageContext, segments: list[Segment], result: UsageResult) -> None:
    """Emit usage lines, capping at the remaining budget (rule 8) in date order."""
    budget = ctx.contract_line.budget if ctx.contract_line is not None and ctx.apply_budget else None
    remaining = None if budget is None else max(budget - ctx.billed_before, Decimal(0))
    uncapped_total = Decimal(0)
    for seg in segments:
        amount = round_money(seg.gross, ctx.currency)
        uncapped_total += amount
        if remaining is None or amount <= remaining:
            if seg.quantity or amount:
                result.lines.append(_usage_line(ctx, seg, seg.quantity, amount))
            remaining = None if remaining is None else remaining - amount
            continue
        billable = _billable_share(seg, remaining)
        if remaining > 0:
            result.lines.append(_usage_line(ctx, seg, billable, remaining))
        result.lines.append(_over_delivery_line(ctx, seg, seg.quantity - billable, amount - remaining))
        remaining = Decimal(0)
    if budget is not None and uncapped_total > 0 and remaining == 0:
        over = uncapped_total - sum((ln.amount for ln in result.lines if ln.kind == "usage"), Decimal(0))
        result.exceptions.append(PricingException(
            "budget_exhausted", f"Line {ctx.line_item_id}: budget {budget} reached; {over} not billable.",
            ctx.line_item_id, (("budget", format(budget, "f")), ("product_code", ctx.product.code)), over))


def _billable_share(seg: Segment, remaining: Decimal) -> int:
    """Quantity the remaining budget buys at the segment's price, rounded half up (never above delivered)."""
    if seg.gross <= 0:
        return seg.quantity
    return min(round_half_up_int(remaining * seg.quantity / seg.gross), seg.quantity)


def _describe(ctx: UsageContext, seg: Segment) -> str:
    name = ctx.product.invoice_description or ctx.product.name or ctx.product.code
    text = f"{name} - {ctx.line_item_id}"
    if seg.key not in ("contract", "auction"):
        text += f" (rate card from {seg.key})"
    return text


class _LineFields(TypedDict):
    """What every line of a segment carries, usage or over-delivery."""

    product_code: str
    gl_revenue_account: str | None
    campaign_id: str | None
    campaign_name: str | None
    line_item_id: str
    unit: str
    tax_code: str | None
    price_base_quantity: int


def _common(ctx: UsageContext, seg: Segment) -> _LineFields:
    first = seg.deliveries[0] if seg.deliveries else None
    return {"product_code": ctx.product.code, "gl_revenue_account": ctx.product.gl_revenue_account,
            "campaign_id": first.campaign_id if first else None,
            "campaign_name": first.campaign_name if first else None, "line_item_id": ctx.line_item_id,
            "unit": basis.UNITS[ctx.product.pricing_model], "tax_code": ctx.product.tax_code,
            "price_base_quantity": basis.price_base(ctx.product.pricing_model)}


def _usage_line(ctx: UsageContext, seg: Segment, quantity: int, amount: Decimal) -> DraftLine:
    return DraftLine(invoice_line_id=line_id(ctx.seed, "usage", ctx.line_item_id, ctx.product.code, seg.key),
                     kind="usage", description=_describe(ctx, seg), amount=amount, quantity=quantity,
                     unit_price=seg.price, **_common(ctx, seg))


def _over_delivery_line(ctx: UsageContext, seg: Segment, quantity: int, value: Decimal) -> DraftLine:
    zero = round_money(Decimal(0), ctx.currency)
    return DraftLine(
        invoice_line_id=line_id(ctx.seed, "over_delivery", ctx.line_item_id, ctx.product.code, seg.key),
        kind="over_delivery", description=f"Over-delivery beyond budget: {_describe(ctx, seg)}", amount=zero,
        quantity=quantity, unit_price=zero, value=value, **_common(ctx, seg))
