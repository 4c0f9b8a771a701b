"""What a customer document (an invoice, a credit or debit memo) says: the customer's words, not pricing's codes.

A line's stored description serves billing staff and the events (which rate card priced it, what an over-delivery
would have cost); the documents an agency's accounts-payable receives say what the line is in their language.
invoice-svc's invoices and adjustment-svc's memos print lines and reasons alike, so the words live here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Line kinds as a customer reads them (memo lines carry the same kinds).
KIND_LABELS = {
    "usage": "Media delivered", "flat_fee": "Flat fee", "discount": "Discount",
    "agency_commission": "Agency commission", "tax": "Tax", "over_delivery": "Delivered beyond booked budget",
    "prior_period_adjustment": "Prior-period adjustment",
    "credit_memo": "Credit memo", "debit_memo": "Debit memo", "payment": "Payment",
}
_RATE_CARD = re.compile(r" \(rate card from (\d{4}-\d{2}-\d{2})\)")
_OVER_DELIVERY = "Over-delivery beyond budget: "
OVER_DELIVERY_NOTE = "Delivered beyond booked budget - not billed"


def kind_label(kind: str) -> str:
    """A line kind in words ("agency_commission" -> "Agency commission"); an unknown kind is spelled out."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def customer_description(kind: str, description: str) -> str:
    """The line's description as printed on a customer document: a rate-card segment reads as the price's
    effective date; an over-delivery line says it is delivered beyond the booked budget and not billed."""
    text = _RATE_CARD.sub(r" (price from \1)", description)
    if kind == "over_delivery":
        text = f"{OVER_DELIVERY_NOTE}: {text.removeprefix(_OVER_DELIVERY)}"
    return text


def has_commission(kinds: Iterable[str]) -> bool:
    """Whether the document has an agency-commission line (only then is it 'net of agency commission')."""
    return any(k == "agency_commission" for k in kinds)


def code_label(code: str) -> str:
    """A code in words, for a reason or an outcome ("rate_mismatch" -> "Rate mismatch")."""
    return code.replace("_", " ").capitalize()
