"""C9: what is delivered or earned but not yet invoiced, from drafts priced by the bill run's engine.

Per bill-to, contract, product, GL revenue account and currency: gross (usage and flat-fee lines, and the usage
part of prior-period adjustments), the discount and the agency commission -- both allocated to the group's products
pro rata to gross -- and never tax (an accrual is revenue, and tax is owed only when invoiced).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from invoice_svc.domain.pricing.draft import DraftLine
from mediabill_common.money import round_money

UnbilledReason = Literal["not_yet_run", "blocked_by_exception", "pending_restatement", "owed_by_closed_period"]


@dataclass(frozen=True)
class UnbilledGroup:
    """One invoice group's unbilled lines (a draft that was never issued, or adjustments still to bill)."""

    bill_to_account_id: str
    contract_id: str | None
    currency: str
    reason: UnbilledReason
    lines: tuple[DraftLine, ...]
    exception_ids: tuple[str, ...] = ()
    exception_kinds: tuple[str, ...] = ()
    service_periods: tuple[str, ...] = ()


@dataclass
class UnbilledRow:
    bill_to_account_id: str
    contract_id: str | None
    product_code: str | None
    gl_revenue_account: str | None
    currency: str
    reason: UnbilledReason
    gross: Decimal
    discount: Decimal
    commission: Decimal
    exception_ids: list[str] = field(default_factory=list)
    exception_kinds: list[str] = field(default_factory=list)
    service_periods: list[str] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        return self.gross + self.discount + self.commission


_GROSS_KINDS = frozenset({"usage", "flat_fee"})


def _is_gross(ln: DraftLine) -> bool:
    return ln.kind in _GROSS_KINDS or (ln.kind == "prior_period_adjustment" and ln.component == "usage")


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `amount` pro rata to `weights`, each share rounded once, the rounding difference on the largest weight
    so the shares add up to `amount` exactly. No weight (or all zero): everything on the first share."""
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    if not total:
        return [amount] + [round_money(Decimal(0), currency)] * (len(weights) - 1)
    shares = [round_money(amount * w / total, currency) for w in weights]
    largest = max(range(len(weights)), key=lambda i: (abs(weights[i]), -i))
    shares[largest] += amount - sum(shares, Decimal(0))
    return shares


def unbilled_rows(group: UnbilledGroup) -> list[UnbilledRow]:
    """The group's rows, one per (product, GL revenue account); discount and commission follow gross pro rata."""
    zero = round_money(Decimal(0), group.currency)
    gross: dict[tuple[str | None, str | None], Decimal] = {}
    discount = commission = zero
    for ln in group.lines:
        if _is_gross(ln):
            key = (ln.product_code, ln.gl_revenue_account)
            gross[key] = gross.get(key, zero) + ln.amount
        elif ln.component == "discount":
            discount += ln.amount
        elif ln.component == "agency_commission":
            commission += ln.amount
    if not gross and (discount or commission):
        gross[(None, None)] = zero
    keys = sorted(gross, key=lambda k: (k[0] or "", k[1] or ""))
    weights = [gross[k] for k in keys]
    discounts, commissions = allocate(discount, weights, group.currency), allocate(commission, weights,
                                                                                  group.currency)
    return [UnbilledRow(group.bill_to_account_id, group.contract_id, code, gl, group.currency, group.reason,
                        gross[(code, gl)], d, c, sorted(group.exception_ids), sorted(group.exception_kinds),
                        sorted(group.service_periods))
            for (code, gl), d, c in zip(keys, discounts, commissions, strict=True)
            if gross[(code, gl)] or d or c]


@dataclass(frozen=True)
class UnbilledTotals:
    currency: str
    gross: Decimal
    discount: Decimal
    commission: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross + self.discount + self.commission


def totals_by_currency(rows: Iterable[UnbilledRow]) -> list[UnbilledTotals]:
    sums: dict[str, list[Decimal]] = {}
    for r in rows:
        s = sums.setdefault(r.currency, [Decimal(0)] * 3)
        s[0] += r.gross
        s[1] += r.discount
        s[2] += r.commission
    return [UnbilledTotals(c, *s) for c, s in sorted(sums.items())]
