"""Rule 13: re-price an invoiced period after a restatement or late delivery; the deltas become adjustment lines."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypedDict, Unpack

from invoice_svc.domain.pricing.draft import Component, DraftLine, PricingException, line_id
from invoice_svc.domain.pricing.inputs import Delivery, PriorPeriodCorrection, Product
from invoice_svc.domain.pricing.netting import Netting, compute_netting
from invoice_svc.domain.pricing.usage import UsageContext, price_usage
from mediabill_common.money import round_half_up_int

# An invoice line keeps its unit price at 6 decimal places (the catalog's bound).
UNIT_PRICE_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class PriorPeriodAdjustment:
    """The `prior_period_adjustment` lines for one invoiced period, and what pricing found."""

    lines: tuple[DraftLine, ...]
    exceptions: tuple[PricingException, ...]

    @property
    def net(self) -> Decimal:
        """The change in that period's net (what the next invoice's total moves by)."""
        return sum((ln.amount for ln in self.lines), Decimal(0))


@dataclass(frozen=True)
class _Repriced:
    usage: dict[str, Decimal]          # line_item_id -> usage (flat fees kept) after the budget check
    info: dict[str, DraftLine]         # line_item_id -> a line describing it (product, campaign, unit, price)
    quantity_delta: dict[str, int]     # line_item_id -> change in the billed quantity, in the line's unit
    exceptions: list[PricingException]


def price_prior_period_adjustment(correction: PriorPeriodCorrection) -> PriorPeriodAdjustment:
    """Re-price `correction.billed.period` with that period's terms and return the change in its net as
    `prior_period_adjustment` lines: one per contract line whose usage changed, one for the discount, one for the
    agency commission and one per tax code, each carrying `original_invoice_number`.

    Usage is re-priced without the cap, then a positive change is limited to the budget still open today
    (budget - `billed_to_date`), which is the cap "as it stands then"; a negative change is always returned.
    A usage line carries the change in the billed quantity in its unit (impressions, clicks...) at the period's
    re-priced unit price; a capped change carries the share of the quantity the budget buys. Discount,
    commission and tax lines are one unit at their amount, as on an invoice.
    Flat fees do not depend on delivery and keep what was billed. A line the period can no longer price (e.g. a
    missing rate) keeps what was billed and reports the exception. A `restatement_after_issue` exception records
    the adjustment.
    """
    billed = correction.billed
    currency = correction.terms.currency if correction.terms is not None else correction.bill_to.currency
    seed = correction.line_id_seed or f"{billed.invoice_number}/{billed.period}"
    repriced = _reprice_usage(correction, currency, seed)
    gross = [DraftLine(invoice_line_id=k, kind="usage", description=k, amount=v, tax_code=repriced.info[k].tax_code)
             for k, v in sorted(repriced.usage.items())]
    netting = compute_netting(gross, correction.terms, correction.bill_to, currency)
    lines = _usage_deltas(correction, repriced, seed) + _netting_deltas(correction, netting, seed)
    net = sum((ln.amount for ln in lines), Decimal(0))
    recorded = PricingException(
        "restatement_after_issue", f"Period {billed.period} (invoice {billed.invoice_number}) changed after issue; "
        f"net adjustment {net} {currency}.", None,
        (("original_invoice_number", billed.invoice_number), ("period", billed.period)), net)
    return PriorPeriodAdjustment(tuple(lines), (*repriced.exceptions, recorded))


def _reprice_usage(c: PriorPeriodCorrection, currency: str, seed: str) -> _Repriced:
    usage = {k: v for k, v in c.billed.usage_by_line.items()}
    info: dict[str, DraftLine] = {}
    quantity_delta: dict[str, int] = {}
    problems: list[PricingException] = []
    for line_item_id, code in sorted({(d.line_item_id, d.product_code) for d in c.deliveries}):
        product = c.products.get(code)
        if product is None or product.pricing_model == "flat_fee":
            continue
        contract_line = c.terms.line(line_item_id) if c.terms is not None else None
        deliveries = tuple(d for d in c.deliveries if d.line_item_id == line_item_id and d.product_code == code)
        result = price_usage(UsageContext(seed, currency, product, line_item_id, deliveries, c.terms,
                                          contract_line, apply_budget=False))
        if any(e.blocks_issue for e in result.exceptions):
            problems.extend(result.exceptions)
            info.setdefault(line_item_id, _describe(product, line_item_id, deliveries[0], []))
            continue
        new = result.billed
        old = c.billed.usage_by_line.get(line_item_id, Decimal(0))
        capped = _capped_delta(c, line_item_id, new - old, problems, product)
        usage[line_item_id] = old + capped
        repriced = [ln for ln in result.lines if ln.kind == "usage"]
        quantity = sum(ln.quantity for ln in repriced) - c.billed.quantity_by_line.get(line_item_id, 0)
        quantity_delta[line_item_id] = _capped_quantity(quantity, new - old, capped)
        info[line_item_id] = _describe(product, line_item_id, deliveries[0], repriced)
    for line_item_id in usage:
        info.setdefault(line_item_id, _describe_contract_line(c, line_item_id))
    return _Repriced(usage, info, quantity_delta, problems)


def _capped_quantity(quantity: int, delta: Decimal, capped: Decimal) -> int:
    """The quantity a capped amount bills: the same share of the quantity change, rounded half up."""
    if capped == delta or not delta:
        return quantity
    return round_half_up_int(Decimal(quantity) * capped / delta)


def _capped_delta(c: PriorPeriodCorrection, line_item_id: str, delta: Decimal,
                  problems: list[PricingException], product: Product) -> Decimal:
    """A positive change takes no more than the budget still open now."""
    contract_line = c.terms.line(line_item_id) if c.terms is not None else None
    if delta <= 0 or contract_line is None or contract_line.budget is None:
        return delta
    remaining = max(contract_line.budget - c.billed_to_date.get(line_item_id, Decimal(0)), Decimal(0))
    if delta <= remaining:
        return delta
    problems.append(PricingException(
        "budget_exhausted", f"Line {line_item_id}: adjustment for {c.billed.period} limited to the remaining "
        f"budget {remaining}; {delta - remaining} not billable.", line_item_id,
        (("budget", format(contract_line.budget, "f")), ("product_code", product.code)), delta - remaining))
    return remaining


def _describe(product: Product, line_item_id: str, first: Delivery, repriced: list[DraftLine]) -> DraftLine:
    """What the adjustment of a re-priced line shows: its product, campaign, unit and the period's unit price
    as re-priced (one rate, or the average over rate-card segments)."""
    unit = repriced[0].unit if repriced else None
    base = repriced[0].price_base_quantity if repriced else 1
    return DraftLine(invoice_line_id="", kind="usage", amount=Decimal(0), line_item_id=line_item_id,
                     description=product.invoice_description or product.name or product.code,
                     product_code=product.code, gl_revenue_account=product.gl_revenue_account,
                     campaign_id=first.campaign_id, campaign_name=first.campaign_name, tax_code=product.tax_code,
                     unit=unit, price_base_quantity=base, unit_price=_unit_price(repriced, base))


def _unit_price(repriced: list[DraftLine], base: int) -> Decimal:
    prices = {ln.unit_price for ln in repriced}
    if len(prices) == 1:
        return prices.pop()
    quantity = sum(ln.quantity for ln in repriced)
    if not quantity:
        return Decimal(0)
    return (sum((ln.amount for ln in repriced), Decimal(0)) * base / quantity).quantize(UNIT_PRICE_QUANTUM)


def _describe_contract_line(c: PriorPeriodCorrection, line_item_id: str) -> DraftLine:
    contract_line = c.terms.line(line_item_id) if c.terms is not None else None
    product = c.products.get(contract_line.product_code) if contract_line is not None else None
    if product is None:
        return DraftLine(invoice_line_id="", kind="usage", amount=Decimal(0), description=line_item_id,
                         line_item_id=line_item_id)
    return DraftLine(invoice_line_id="", kind="usage", amount=Decimal(0), line_item_id=line_item_id,
                     description=product.invoice_description or product.name or product.code,
                     product_code=product.code, gl_revenue_account=product.gl_revenue_account,
                     tax_code=product.tax_code)


def _usage_deltas(c: PriorPeriodCorrection, repriced: _Repriced, seed: str) -> list[DraftLine]:
    lines = []
    for line_item_id in sorted(repriced.usage):
        delta = repriced.usage[line_item_id] - c.billed.usage_by_line.get(line_item_id, Decimal(0))
        if not delta:
            continue
        about = repriced.info[line_item_id]
        line = _adjustment(c, seed, "usage", delta, f"{about.description} - {line_item_id}",
                           line_item_id=line_item_id, product_code=about.product_code,
                           gl_revenue_account=about.gl_revenue_account, campaign_id=about.campaign_id,
                           campaign_name=about.campaign_name, tax_code=about.tax_code)
        if about.unit is not None:
            line = replace(line, quantity=repriced.quantity_delta.get(line_item_id, 0), unit=about.unit,
                           unit_price=about.unit_price, price_base_quantity=about.price_base_quantity)
        lines.append(line)
    return lines


def _netting_deltas(c: PriorPeriodCorrection, netting: Netting, seed: str) -> list[DraftLine]:
    lines = []
    if netting.discount - c.billed.discount:
        lines.append(_adjustment(c, seed, "discount", netting.discount - c.billed.discount, "discount"))
    if netting.commission - c.billed.commission:
        lines.append(_adjustment(c, seed, "agency_commission", netting.commission - c.billed.commission,
                                 "agency commission"))
    for code in sorted(set(netting.tax_by_code) | set(c.billed.tax_by_code)):
        delta = netting.tax_by_code.get(code, Decimal(0)) - c.billed.tax_by_code.get(code, Decimal(0))
        if delta:
            lines.append(_adjustment(c, seed, "tax", delta, f"tax {code}", tax_code=code))
    return lines


class _AdjustedLine(TypedDict, total=False):
    """What an adjustment line takes from the line it adjusts (a usage line, or a tax code)."""

    line_item_id: str | None
    product_code: str | None
    gl_revenue_account: str | None
    campaign_id: str | None
    campaign_name: str | None
    tax_code: str | None


def _adjustment(c: PriorPeriodCorrection, seed: str, component: Component, amount: Decimal, what: str,
                **fields: Unpack[_AdjustedLine]) -> DraftLine:
    # A period no invoice covered (close.md C12: closed before it was billed) has no number to name.
    number = c.billed.invoice_number
    return DraftLine(
        invoice_line_id=line_id(seed, "prior_period_adjustment", number or c.billed.period, component,
                                fields.get("line_item_id") or fields.get("tax_code") or ""),
        kind="prior_period_adjustment",
        description=f"Prior-period adjustment {number or 'not invoiced'} ({c.billed.period}): {what}",
        amount=amount, quantity=1, unit_price=amount, original_invoice_number=number or None,
        original_period=c.billed.period, component=component, **fields)
