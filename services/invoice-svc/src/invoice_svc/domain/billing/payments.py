"""Whether a payment from collections can be applied as sent (rule 17's payments).

A payment is applied once, by `payment_id`, exactly as collections sent it: never rounded, never to another bill-to
account's invoice. What cannot be applied is not dropped either: the handler raises a billing exception for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# The facts that make two payments the same payment; `applied_at` is when collections applied it, not what it is.
PAYMENT_FACTS = ("invoice_id", "bill_to_account_id", "amount", "currency")
# Longest amount quoted in an exception's refs: a hostile amount of thousands of digits stays out of the queue.
_SHOWN_DIGITS = 60


@dataclass(frozen=True)
class Payment:
    """A payment as collections reported it (or as it was recorded, with its invoice's bill-to account)."""

    payment_id: str
    invoice_id: str
    bill_to_account_id: str
    amount: Decimal
    currency: str


def differences(recorded: Payment, sent: Payment) -> list[str]:
    """The facts in which `sent` differs from the payment recorded under the same id (empty = an exact resend).

    Amounts compare by value: "500.00" and "500.000" are the same amount."""
    return [name for name in PAYMENT_FACTS if getattr(recorded, name) != getattr(sent, name)]


def shown_amount(amount: Decimal) -> str:
    """The amount as sent, for an exception's refs (cut, with "...", beyond 60 characters)."""
    text = format(amount, "f")
    return text if len(text) <= _SHOWN_DIGITS else text[:_SHOWN_DIGITS] + "..."


def fingerprint(payment: Payment) -> str:
    """The payment's facts in a stable, exact form (trailing zeros dropped): one open exception per variant."""
    amount = format(payment.amount, "f")
    if "." in amount:
        amount = amount.rstrip("0").rstrip(".")
    return "|".join((payment.invoice_id, payment.bill_to_account_id, amount, payment.currency))
