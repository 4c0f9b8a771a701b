"""What an exception's value means to finance: revenue at risk, over-delivery, or neither.

Revenue at risk is billable value held back from invoicing: deliveries that cannot be billed until someone acts
(an unknown product, account or contract, a missing rate, ...). Over-delivery beyond a line's budget can never be
billed (rule 8): it is reported beside, as `over_delivery_value`, and never counted at risk. The other kinds
(a restatement already billed as prior-period lines, a negative draft, payment problems) carry an amount that is
neither. A `source_conflict` is one of those: its day is billed from the first source seen, so the second
source's record (its value carried as the amount) is a second billing prevented, not revenue held back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Exposure = Literal["revenue_at_risk", "over_delivery", "informational"]

# Deliveries kept unbilled until the configuration is mended (ingestion), and groups a bill run could not bill.
HELD_BACK_KINDS: frozenset[str] = frozenset({
    "unknown_product", "product_not_live", "unknown_account", "unknown_contract", "outside_flight",
    "currency_mismatch", "missing_media_cost", "missing_rate", "missing_third_party_counts", "pricing_out_of_range",
})
OVER_DELIVERY_KINDS: frozenset[str] = frozenset({"budget_exhausted"})


def exposure_of(kind: str) -> Exposure:
    """Whether an exception of `kind` holds revenue back, reports over-delivery, or is informational."""
    if kind in HELD_BACK_KINDS:
        return "revenue_at_risk"
    if kind in OVER_DELIVERY_KINDS:
        return "over_delivery"
    return "informational"


def value_at_risk(kind: str, amount: Decimal | None) -> Decimal | None:
    """The revenue an exception holds back: its priced amount when its kind holds revenue back, else None
    (None for a held-back kind too when it could not be priced: see the exception's quantity and unit)."""
    return amount if kind in HELD_BACK_KINDS else None
