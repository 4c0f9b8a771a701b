"""Rule 18: how much of an invoice line may still be credited (the definition is mediabill_common.headroom, shared
with dispute-svc; this service knows every term of it, so its check is the authority)."""

from __future__ import annotations

from adjustment_svc.domain.errors import HeadroomExceeded
from adjustment_svc.domain.memo_lines import RequestedLine
from mediabill_common.headroom import LineExposure, headroom_breaches
from mediabill_common.money import Money

__all__ = ["LineExposure", "check_credit_headroom"]


def check_credit_headroom(requested: list[RequestedLine], exposures: dict[str, LineExposure],
                          currency: str) -> None:
    """Raise HeadroomExceeded naming every requested line whose amount is above its headroom."""
    breaches = headroom_breaches([(req.invoice_line_id, Money(req.amount, currency)) for req in requested],
                                 exposures)
    violations = [breach.figures() for breach in breaches]
    if violations:
        text = "; ".join(f"line {v['invoice_line_id']}: requested {v['requested']} {currency} but its headroom is "
                         f"{v['headroom']} {currency} (amount {v['line_amount']} - credited {v['credited']} - "
                         f"pending credit requests {v['pending_credit']} - under open disputes {v['disputed']})"
                         for v in violations)
        raise HeadroomExceeded(f"The credit exceeds the headroom of rule 18: {text}", violations)
