"""Rule 18: how much of an invoice line may still be credited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mediabill_common.money import round_money

from adjustment_svc.domain.errors import HeadroomExceeded
from adjustment_svc.domain.memo_lines import RequestedLine


@dataclass(frozen=True)
class LineExposure:
    """An invoice line and everything already holding part of it."""

    invoice_line_id: str
    amount: Decimal
    credited: Decimal
    pending_credit: Decimal
    disputed: Decimal  # under open disputes, without the dispute the request settles

    @property
    def headroom(self) -> Decimal:
        """Line amount - credited by issued memos - pending credit requests - amounts under open disputes."""
        return self.amount - self.credited - self.pending_credit - self.disputed


def check_credit_headroom(requested: list[RequestedLine], exposures: dict[str, LineExposure],
                          currency: str) -> None:
    """Raise HeadroomExceeded naming every requested line whose amount is above its headroom."""
    def show(value: Decimal) -> str:
        return format(round_money(value, currency), "f")

    violations = []
    for req in requested:
        exposure = exposures[req.invoice_line_id]
        if req.amount > exposure.headroom:
            violations.append({
                "invoice_line_id": req.invoice_line_id, "requested": show(req.amount),
                "headroom": show(exposure.headroom), "line_amount": show(exposure.amount),
                "credited": show(exposure.credited), "pending_credit": show(exposure.pending_credit),
                "disputed": show(exposure.disputed), "currency": currency,
            })
    if violations:
        text = "; ".join(f"line {v['invoice_line_id']}: requested {v['requested']} {currency} but its headroom is "
                         f"{v['headroom']} {currency} (amount {v['line_amount']} - credited {v['credited']} - "
                         f"pending credit requests {v['pending_credit']} - under open disputes {v['disputed']})"
                         for v in violations)
        raise HeadroomExceeded(f"The credit exceeds the headroom of rule 18: {text}", violations)
