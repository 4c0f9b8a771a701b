"""Billing KPIs as plain arithmetic over what the repositories summed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def billing_accuracy(billed: Decimal, credited: Decimal) -> Decimal | None:
    """1 - credited value / billed value, to 4 decimal places (None when nothing was billed)."""
    if billed <= 0:
        return None
    return (Decimal(1) - credited / billed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole, 0..1 to 4 decimal places (None when whole is 0)."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
