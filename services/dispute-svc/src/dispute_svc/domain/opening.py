"""Whether a dispute may be opened against an invoice (billing-rules.md rules 18 and 19)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mediabill_common.money import round_money

from dispute_svc.domain.errors import InvalidRequest, RuleBreach
from dispute_svc.domain.model import DISPUTABLE_KINDS, REASON_CODES, DisputedLine, InvoiceLineView, InvoiceView


@dataclass(frozen=True)
class RequestedLine:
    invoice_line_id: str
    amount: Decimal


def dispute_window_closes(issue_date: date, window_days: int) -> date:
    """The last day a dispute may be opened: `window_days` calendar days after the issue date."""
    return issue_date + timedelta(days=window_days)


def line_headroom(line: InvoiceLineView, held: Decimal) -> Decimal:
    """Rule 18: line amount - credited - what disputes (and credits they wait for) already hold."""
    return line.amount - line.credited - held


def check_opening(invoice: InvoiceView, requested: Sequence[RequestedLine], *, reason_code: str,
                  description: str, today: date, window_days: int,
                  held_by_line: Mapping[str, Decimal]) -> list[DisputedLine]:
    """Validate a new dispute against the invoice; return the disputed lines or raise with the precise reason."""
    if invoice.is_void:
        raise RuleBreach(f"Invoice {invoice.invoice_number} is void; a void invoice cannot be disputed.")
    closes = dispute_window_closes(invoice.issue_date, window_days)
    if today > closes:
        raise RuleBreach(f"The dispute window for invoice {invoice.invoice_number} (issued "
                         f"{invoice.issue_date.isoformat()}) closed on {closes.isoformat()} "
                         f"({window_days} days after issue).")
    if reason_code not in REASON_CODES:
        raise InvalidRequest(f"reason_code {reason_code!r} is not one of: {', '.join(REASON_CODES)}",
                             field="reason_code")
    if not description.strip():
        raise InvalidRequest("description is required: say what the advertiser contests and why",
                             field="description")
    if not requested:
        raise InvalidRequest("lines must name at least one invoice line and an amount", field="lines")
    return [_check_line(invoice, req, i, requested, held_by_line) for i, req in enumerate(requested)]


def _check_line(invoice: InvoiceView, req: RequestedLine, index: int, requested: Sequence[RequestedLine],
                held_by_line: Mapping[str, Decimal]) -> DisputedLine:
    where = f"lines[{index}]"
    if any(other.invoice_line_id == req.invoice_line_id for other in requested[:index]):
        raise InvalidRequest(f"{where}: invoice line {req.invoice_line_id} is named twice; name each line once",
                             field=f"{where}.invoice_line_id")
    line = invoice.line(req.invoice_line_id)
    if line is None:
        raise InvalidRequest(f"{where}: invoice {invoice.invoice_number} has no line {req.invoice_line_id}",
                             field=f"{where}.invoice_line_id")
    if line.kind not in DISPUTABLE_KINDS:
        raise RuleBreach(f"{where}: line {line.invoice_line_id} is a {line.kind} line; only "
                         f"{', '.join(sorted(DISPUTABLE_KINDS))} lines can be disputed.")
    if req.amount <= 0 or round_money(req.amount, invoice.currency) != req.amount:
        raise InvalidRequest(f"{where}: amount must be greater than 0 with at most the minor-unit digits of "
                             f"{invoice.currency}; got {req.amount}", field=f"{where}.amount")
    headroom = line_headroom(line, held_by_line.get(line.invoice_line_id, Decimal(0)))
    if req.amount > headroom:
        raise RuleBreach(
            f"{where}: line {line.invoice_line_id} has a headroom of {format(max(headroom, Decimal(0)), 'f')} "
            f"{invoice.currency} (amount {format(line.amount, 'f')} - credited {format(line.credited, 'f')} - "
            f"under dispute or awaiting credit {format(held_by_line.get(line.invoice_line_id, Decimal(0)), 'f')}); "
            f"{format(req.amount, 'f')} was asked.")
    return DisputedLine(line.invoice_line_id, req.amount, line.kind, line.product_code, line.line_item_id)
