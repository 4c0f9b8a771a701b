"""Whether a dispute may be opened against an invoice (billing-rules.md rules 18 and 19)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dispute_svc.domain.errors import InvalidRequest, RuleBreach
from dispute_svc.domain.model import (
    ACTIVE_STATUSES,
    DISPUTABLE_KINDS,
    REASON_CODES,
    Dispute,
    DisputedLine,
    InvoiceLineView,
    InvoiceView,
    amounts_held,
)
from mediabill_common.headroom import LineExposure, headroom_breaches
from mediabill_common.money import Money, round_money


@dataclass(frozen=True)
class RequestedLine:
    invoice_line_id: str
    amount: Decimal


def dispute_window_closes(issue_date: date, window_days: int) -> date:
    """The last day a dispute may be opened: `window_days` calendar days after the issue date."""
    return issue_date + timedelta(days=window_days)


@dataclass(frozen=True)
class LineHolds:
    """What this service's disputes hold per invoice line: the amounts of its open and in-review disputes, and the
    credit its resolved disputes still wait for (their credit request, pending in adjustment-svc)."""

    under_dispute: Mapping[str, Decimal] = field(default_factory=dict)
    awaiting_credit: Mapping[str, Decimal] = field(default_factory=dict)


def holds_of(disputes: Iterable[Dispute]) -> LineHolds:
    """Sum `amounts_held` of each dispute into the term of rule 18 it belongs to."""
    under: dict[str, Decimal] = {}
    awaiting: dict[str, Decimal] = {}
    for dispute in disputes:
        into = under if dispute.status in ACTIVE_STATUSES else awaiting
        for line_id, amount in amounts_held(dispute).items():
            into[line_id] = into.get(line_id, Decimal(0)) + amount
    return LineHolds(under, awaiting)


def line_exposure(line: InvoiceLineView, holds: LineHolds, currency: str) -> LineExposure:
    """Rule 18's terms as dispute-svc knows them (mediabill_common.headroom has the one definition). A credit
    request an analyst made directly is not known here until its memo is issued: adjustment-svc's check, at the
    request and at every approval, is the authority; this one is a first filter."""
    zero = Decimal(0)
    return LineExposure(line.invoice_line_id, Money(line.amount, currency), Money(line.credited, currency),
                        Money(holds.awaiting_credit.get(line.invoice_line_id, zero), currency),
                        Money(holds.under_dispute.get(line.invoice_line_id, zero), currency))


def check_opening(invoice: InvoiceView, requested: Sequence[RequestedLine], *, reason_code: str,
                  description: str, today: date, window_days: int, holds: LineHolds) -> list[DisputedLine]:
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
    return [_check_line(invoice, req, i, requested, holds) for i, req in enumerate(requested)]


def _check_line(invoice: InvoiceView, req: RequestedLine, index: int, requested: Sequence[RequestedLine],
                holds: LineHolds) -> DisputedLine:
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
    exposure = line_exposure(line, holds, invoice.currency)
    asked = Money(req.amount, invoice.currency)
    breaches = headroom_breaches([(line.invoice_line_id, asked)], {line.invoice_line_id: exposure})
    if breaches:
        x = breaches[0].figures()
        raise RuleBreach(
            f"{where}: line {line.invoice_line_id} has a headroom of "
            f"{max(exposure.headroom, Money.zero(invoice.currency))} "
            f"(amount {x['line_amount']} - "
            f"credited {x['credited']} - awaiting credit {x['pending_credit']} - under open disputes "
            f"{x['disputed']}); {x['requested']} was asked.")
    return DisputedLine(line.invoice_line_id, req.amount, line.kind, line.product_code, line.line_item_id)
