"""Rule 21: the lines and total of a credit or debit memo.

A memo names usage, flat-fee or prior-period lines with an amount each and reverses their pro-rata share of the
invoice's discount, agency commission and tax as lines of its own. Every memo line is signed as the change to the
invoice line it names (a credit of 200.00 on usage gives back 10.00 of a -100.00 discount, the memo line reads
-10.00), so the memo total, what the customer gets back (credit) or owes on top (debit), is the sum of its lines.

Shares: a named usage or flat-fee line's share of each discount and commission line is its amount over the
discount base (the sum of the invoice's usage and flat-fee lines). Tax per tax code is that code's tax line times
the memo's net over the invoice's net for the code; as discount and commission apply at one rate to the whole base,
that ratio is the named gross of the code over the invoice's gross of the code. Prior-period adjustment lines carry
their own discount, commission and tax adjustments (rule 13), so naming one reverses nothing else. Each derived line
is rounded once (rule 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adjustment_svc.domain.errors import LineNotAdjustable
from mediabill_common.money import Money, round_money

ADJUSTABLE_KINDS = frozenset({"usage", "flat_fee", "prior_period_adjustment"})
DISCOUNT_BASE_KINDS = frozenset({"usage", "flat_fee"})
REVERSED_KINDS = ("discount", "agency_commission")


@dataclass(frozen=True)
class InvoiceLineView:
    """What adjustment-svc knows of an issued invoice line."""

    invoice_line_id: str
    kind: str
    amount: Decimal
    description: str = ""
    tax_code: str | None = None
    product_code: str | None = None


@dataclass(frozen=True)
class RequestedLine:
    """An amount a request credits or debits on one named invoice line (always positive)."""

    invoice_line_id: str
    amount: Decimal
    description: str


@dataclass(frozen=True)
class MemoLineDraft:
    invoice_line_id: str | None
    kind: str
    amount: Decimal
    description: str
    derived: bool


@dataclass(frozen=True)
class MemoDraft:
    """A memo's lines (amounts in `total`'s currency) and its total, what the customer gets back or owes."""

    lines: tuple[MemoLineDraft, ...]
    total: Money

    @property
    def currency(self) -> str:
        return self.total.currency


def _named_lines(invoice_lines: list[InvoiceLineView], requested: list[RequestedLine]) -> list[InvoiceLineView]:
    by_id = {line.invoice_line_id: line for line in invoice_lines}
    named = []
    for req in requested:
        line = by_id.get(req.invoice_line_id)
        if line is None:
            raise LineNotAdjustable(f"invoice line {req.invoice_line_id} is not on this invoice")
        if line.kind not in ADJUSTABLE_KINDS:
            raise LineNotAdjustable(
                f"invoice line {req.invoice_line_id} is a {line.kind} line; a memo names only usage, flat_fee or "
                "prior_period_adjustment lines (their discount, commission and tax are reversed automatically)")
        named.append(line)
    return named


def _reversal_lines(invoice_lines: list[InvoiceLineView], named_base: Decimal, currency: str) \
        -> list[MemoLineDraft]:
    base = sum((x.amount for x in invoice_lines if x.kind in DISCOUNT_BASE_KINDS), Decimal(0))
    if base == 0 or named_base == 0:
        return []
    out = []
    for line in invoice_lines:
        if line.kind in REVERSED_KINDS and line.amount != 0:
            share = round_money(line.amount * named_base / base, currency)
            label = "discount" if line.kind == "discount" else "agency commission"
            out.append(MemoLineDraft(line.invoice_line_id, line.kind, share,
                                     f"Reversal of {label} share ({line.description})".strip(), True))
    return out


def _tax_lines(invoice_lines: list[InvoiceLineView], named: dict[str | None, Decimal], currency: str) \
        -> list[MemoLineDraft]:
    out = []
    for tax in (x for x in invoice_lines if x.kind == "tax" and x.amount != 0):
        # A tax line without a code covers every taxable line of the invoice.
        in_code = [x for x in invoice_lines if x.kind in DISCOUNT_BASE_KINDS
                   and (tax.tax_code is None or x.tax_code == tax.tax_code)]
        gross = sum((x.amount for x in in_code), Decimal(0))
        named_gross = sum(named.values()) if tax.tax_code is None else named.get(tax.tax_code, Decimal(0))
        if gross == 0 or named_gross == 0:
            continue
        share = round_money(tax.amount * named_gross / gross, currency)
        out.append(MemoLineDraft(tax.invoice_line_id, "tax", share,
                                 f"Reversal of tax share ({tax.description})".strip(), True))
    return out


def compute_memo(invoice_lines: list[InvoiceLineView], requested: list[RequestedLine], currency: str) \
        -> MemoDraft:
    """The memo's lines (named first, then derived discount, commission and tax lines) and its total.

    Raises LineNotAdjustable when a named line is unknown or of a kind a memo may not name.
    """
    named = _named_lines(invoice_lines, requested)
    lines = [MemoLineDraft(req.invoice_line_id, line.kind, round_money(req.amount, currency),
                           req.description, False) for req, line in zip(requested, named, strict=True)]
    named_by_code: dict[str | None, Decimal] = {}
    for req, line in zip(requested, named, strict=True):
        if line.kind in DISCOUNT_BASE_KINDS:
            named_by_code[line.tax_code] = named_by_code.get(line.tax_code, Decimal(0)) + req.amount
    named_base = sum(named_by_code.values(), Decimal(0))
    lines += _reversal_lines(invoice_lines, named_base, currency)
    lines += _tax_lines(invoice_lines, named_by_code, currency)
    return MemoDraft(tuple(lines), Money(sum((x.amount for x in lines), Decimal(0)), currency))
