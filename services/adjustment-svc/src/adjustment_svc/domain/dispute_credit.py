"""Rule 20: the credit request a resolved dispute turns into."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mediabill_common.money import round_money


@dataclass(frozen=True)
class DisputedAmount:
    invoice_line_id: str
    amount: Decimal


def allocate_dispute_credit(outcome: str, credit: Decimal, disputed: list[DisputedAmount], currency: str) \
        -> list[DisputedAmount]:
    """Per-line credit of a resolved dispute.

    `upheld` credits each disputed line's amount; `partially_upheld` spreads the credit pro rata over the
    disputed lines, each share rounded, the rounding remainder on the last line so the lines add up to the
    credit exactly. Lines that get nothing are left out.
    """
    if not disputed or credit <= 0:
        return []
    if outcome == "upheld":
        return [d for d in disputed if d.amount > 0]
    total = sum((d.amount for d in disputed), Decimal(0))
    out: list[DisputedAmount] = []
    allocated = Decimal(0)
    for d in disputed[:-1]:
        # Never past the credit: with many tiny lines, rounding each share up could overshoot it.
        share = min(round_money(credit * d.amount / total, currency), round_money(credit, currency) - allocated)
        out.append(DisputedAmount(d.invoice_line_id, share))
        allocated += share
    out.append(DisputedAmount(disputed[-1].invoice_line_id, round_money(credit, currency) - allocated))
    return [d for d in out if d.amount > 0]
