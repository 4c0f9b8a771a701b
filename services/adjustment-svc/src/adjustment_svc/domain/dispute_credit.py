"""Rule 20: the credit request a resolved dispute turns into."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mediabill_common.money import Money


@dataclass(frozen=True)
class DisputedAmount:
    invoice_line_id: str
    amount: Decimal


def allocate_dispute_credit(outcome: str, credit: Money, disputed: list[DisputedAmount]) -> list[DisputedAmount]:
    """Per-line credit of a resolved dispute.

    `upheld` credits each disputed line's amount; `partially_upheld` spreads the credit pro rata over the
    disputed lines, each share rounded, the rounding remainder on the last line so the lines add up to the
    credit exactly. Lines that get nothing are left out.
    """
    if not disputed or not credit.is_positive():
        return []
    if outcome == "upheld":
        return [d for d in disputed if d.amount > 0]
    total = sum((d.amount for d in disputed), Decimal(0))
    out: list[DisputedAmount] = []
    to_allocate = credit.rounded()
    allocated = Money.zero(credit.currency)
    for d in disputed[:-1]:
        # Never past the credit: with many tiny lines, rounding each share up could overshoot it.
        share = min((credit * d.amount / total).rounded(), to_allocate - allocated)
        out.append(DisputedAmount(d.invoice_line_id, share.amount))
        allocated += share
    out.append(DisputedAmount(disputed[-1].invoice_line_id, (to_allocate - allocated).amount))
    return [d for d in out if d.amount > 0]
