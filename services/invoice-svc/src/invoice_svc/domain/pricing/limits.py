"""What an invoice can hold: amounts within the money columns, quantities within 64 bits.

Configured rates and budgets are bounded where they are entered, but pricing multiplies them by delivered
quantities, and a configuration stored before the bounds existed was never checked: a group can still price to
an amount no invoice can hold, or past what decimal arithmetic carries (28 digits). Such a group is not invoiced;
`check_storable` and `PricingOutOfRange` say why, so that the caller raises it as an exception instead.
"""

from __future__ import annotations

from decimal import Decimal

from invoice_svc.domain.pricing.draft import TOTALS, DraftInvoice
from mediabill_common.money import AMOUNT_LIMIT, fits_money_columns

# Invoice lines keep their quantity as a 64-bit integer (BIGINT).
QUANTITY_LIMIT = 2 ** 63


class PricingOutOfRange(ArithmeticError):
    """Pricing produced a figure an invoice cannot hold (the message says which)."""


def check_storable(draft: DraftInvoice) -> DraftInvoice:
    """`draft` if every amount, unit price, value and quantity fits an invoice; else PricingOutOfRange."""
    for line in draft.lines:
        where = f"the {line.kind} line" + (f" of line item {line.line_item_id}" if line.line_item_id else "")
        for name, amount in (("amount", line.amount), ("unit_price", line.unit_price), ("value", line.value)):
            _check_amount(amount, f"{where}: {name}")
        if abs(line.quantity) >= QUANTITY_LIMIT:
            raise PricingOutOfRange(f"{where}: quantity {line.quantity} is not below {QUANTITY_LIMIT}")
    for name in TOTALS:
        _check_amount(getattr(draft, name).amount, f"the invoice {name}")
    return draft


def _check_amount(amount: Decimal | None, what: str) -> None:
    if amount is not None and not fits_money_columns(amount):
        raise PricingOutOfRange(f"{what} {amount:f} is not below {AMOUNT_LIMIT:,f} in magnitude")


def out_of_range_reason(exc: ArithmeticError) -> str:
    """Why a group could not be priced, in words an analyst can act on."""
    if isinstance(exc, PricingOutOfRange):
        return f"priced beyond what an invoice holds: {exc}"
    return (f"pricing overflowed decimal arithmetic ({type(exc).__name__}): the rates, budgets, percentages or "
            "quantities give amounts far beyond what an invoice holds")
