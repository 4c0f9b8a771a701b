"""Rules 9-11: the discount, agency-commission and tax lines on the period's usage and flat-fee lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from invoice_svc.domain.pricing.draft import DraftLine, line_id
from invoice_svc.domain.pricing.inputs import BillTo, ContractTerms
from mediabill_common.money import round_money


@dataclass(frozen=True)
class Netting:
    """The rounded discount, commission and tax-by-code amounts of one invoice's gross lines."""

    discount: Decimal
    commission: Decimal
    tax_by_code: dict[str, Decimal]
    rate_by_code: dict[str, Decimal]


def compute_netting(gross_lines: Sequence[DraftLine], terms: ContractTerms | None, bill_to: BillTo,
                    currency: str) -> Netting:
    """Discount = -(gross x pct); commission (agency bill-to only) = -((gross + discount) x pct); tax per tax code
    = rate x (that code's gross + its pro-rata share of discount and commission). Each rounded once."""
    zero = round_money(Decimal(0), currency)
    gross = sum((ln.amount for ln in gross_lines), Decimal(0))
    discount = commission = zero
    if terms is not None and terms.discount_pct and gross:
        discount = round_money(-gross * terms.discount_pct / 100, currency)
    if terms is not None and terms.agency_commission_pct and bill_to.is_agency and gross:
        commission = round_money(-(gross + discount) * terms.agency_commission_pct / 100, currency)
    by_code: dict[str, Decimal] = {}
    for ln in gross_lines:
        if ln.tax_code:
            by_code[ln.tax_code] = by_code.get(ln.tax_code, Decimal(0)) + ln.amount
    taxes, rates = {}, {}
    for code in sorted(by_code):
        rate = bill_to.tax_rates.get(code) or Decimal(0)
        if not rate:
            continue
        share = (discount + commission) * by_code[code] / gross if gross else Decimal(0)
        taxes[code] = round_money((by_code[code] + share) * rate / 100, currency)
        rates[code] = rate
    return Netting(discount, commission, taxes, rates)


def netting_lines(seed: str, netting: Netting, terms: ContractTerms | None) -> list[DraftLine]:
    """One discount line, one agency-commission line, one tax line per tax code with a non-zero rate."""
    lines = []
    if netting.discount and terms is not None:
        lines.append(_line(seed, "discount", f"Discount {_pct(terms.discount_pct)}%", netting.discount))
    if netting.commission and terms is not None:
        lines.append(_line(seed, "agency_commission", f"Agency commission {_pct(terms.agency_commission_pct)}%",
                           netting.commission))
    for code, amount in netting.tax_by_code.items():
        lines.append(_line(seed, "tax", f"Tax {code} {_pct(netting.rate_by_code[code])}%", amount, code))
    return lines


def _pct(value: Decimal | None) -> str:
    return format((value or Decimal(0)).normalize(), "f")


def _line(seed: str, kind: Literal["discount", "agency_commission", "tax"], description: str, amount: Decimal,
          tax_code: str | None = None) -> DraftLine:
    # Allowances and tax as one unit at their amount, so quantity x unit_price = amount holds on every line.
    return DraftLine(invoice_line_id=line_id(seed, kind, tax_code or ""), kind=kind,
                     description=description, amount=amount, quantity=1, unit_price=amount, tax_code=tax_code,
                     component=kind)
