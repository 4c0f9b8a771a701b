"""`price_invoice_group`: one (bill-to, contract, period) group priced into a draft invoice."""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.domain.pricing.draft import DraftInvoice, DraftLine, PricingException
from invoice_svc.domain.pricing.flat_fee import FlatFeeContext, price_flat_fee
from invoice_svc.domain.pricing.inputs import Delivery, InvoiceGroup
from invoice_svc.domain.pricing.netting import compute_netting, netting_lines
from invoice_svc.domain.pricing.usage import UsageContext, price_usage

_GROSS_KINDS = ("usage", "flat_fee")


def price_invoice_group(group: InvoiceGroup) -> DraftInvoice:
    """Price one invoice group (billing-rules.md rules 3-11 and 14); pure and deterministic.

    Usage lines come first (in contract-line order, then other line items by id), then flat fees, the
    prior-period adjustment lines handed in, the discount, the agency commission and the tax lines. Business
    conditions are returned as `DraftInvoice.exceptions`, never raised. Pass every product the group's
    deliveries and contract lines name: a flat-fee contract line whose product is absent is not billed, and a
    delivery whose line item the contract does not name is priced on the rate card, uncapped.
    """
    lines: list[DraftLine] = []
    exceptions: list[PricingException] = []
    _price_deliveries(group, lines, exceptions)
    _price_flat_fees(group, lines, exceptions)
    gross = [ln for ln in lines if ln.kind in _GROSS_KINDS]
    netting = compute_netting(gross, group.terms, group.bill_to, group.currency)
    lines.extend(group.prior_period_lines)
    lines.extend(netting_lines(group.seed, netting, group.terms))
    draft = DraftInvoice(group.currency, tuple(lines), tuple(exceptions))
    if draft.total.is_negative():
        negative = PricingException(
            "negative_invoice", f"The invoice total {draft.total.amount} {draft.currency} is negative: not "
            "issuable; credit the original invoice in adjustment-svc instead.", None, (("period", group.period),),
            -draft.total.amount)
        draft = DraftInvoice(group.currency, draft.lines, (*draft.exceptions, negative))
    return draft


def _deliveries_by_key(group: InvoiceGroup) -> list[tuple[tuple[str, str], tuple[Delivery, ...]]]:
    """The deliveries per (line_item_id, product_code), in their given order; contract lines first in contract
    order, then the other pairs sorted."""
    by_key: dict[tuple[str, str], list[Delivery]] = {}
    for d in group.deliveries:
        by_key.setdefault((d.line_item_id, d.product_code), []).append(d)
    order = {ln.line_item_id: i for i, ln in enumerate(group.terms.lines)} if group.terms else {}
    keys = sorted(by_key, key=lambda k: (order.get(k[0], len(order)), k))
    return [(k, tuple(by_key[k])) for k in keys]


def _already_billed(group: InvoiceGroup, line_item_id: str) -> Decimal:
    """Earlier invoices plus the usage adjustments this invoice carries for the line (they count against the
    budget first)."""
    carried = sum((ln.amount for ln in group.prior_period_lines
                   if ln.component == "usage" and ln.line_item_id == line_item_id), Decimal(0))
    return group.billed_before.get(line_item_id, Decimal(0)) + carried


def _price_deliveries(group: InvoiceGroup, lines: list[DraftLine], exceptions: list[PricingException]) -> None:
    for (line_item_id, code), deliveries in _deliveries_by_key(group):
        product = group.products.get(code)
        if product is None:
            exceptions.append(_unknown_product(line_item_id, code, deliveries))
            continue
        if product.pricing_model == "flat_fee":
            continue  # flat fees are billed from the contract's flight, not from delivery (rule 6)
        contract_line = group.terms.line(line_item_id) if group.terms is not None else None
        result = price_usage(UsageContext(
            seed=group.seed, currency=group.currency, product=product, line_item_id=line_item_id,
            deliveries=deliveries, terms=group.terms, contract_line=contract_line,
            billed_before=_already_billed(group, line_item_id)))
        lines.extend(result.lines)
        exceptions.extend(result.exceptions)


def _price_flat_fees(group: InvoiceGroup, lines: list[DraftLine], exceptions: list[PricingException]) -> None:
    if group.terms is None:
        return
    for contract_line in group.terms.lines:
        product = group.products.get(contract_line.product_code)
        if product is None or product.pricing_model != "flat_fee":
            continue
        new_lines, problems = price_flat_fee(FlatFeeContext(
            seed=group.seed, period=group.period, terms=group.terms, contract_line=contract_line, product=product,
            billed_before=group.billed_before.get(contract_line.line_item_id, Decimal(0))))
        lines.extend(new_lines)
        exceptions.extend(problems)


def _unknown_product(line_item_id: str, code: str, deliveries: tuple[Delivery, ...]) -> PricingException:
    return PricingException(
        "unknown_product", f"Line {line_item_id}: product {code} is not configured; "
        f"{len(deliveries)} deliveries not priced.", line_item_id, (("product_code", code),))
