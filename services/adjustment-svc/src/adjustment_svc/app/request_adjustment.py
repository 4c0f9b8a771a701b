"""Use case: an analyst (or a resolved dispute) asks for a credit or debit memo on an issued invoice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from adjustment_svc.app.errors import (
    InvalidRequest,
    InvoiceNotAdjustable,
    LiveRequestForDispute,
    UnknownAdjustment,
    UnknownInvoice,
)
from adjustment_svc.app.issue_memo import issue_memo
from adjustment_svc.app.ports import AdjustmentUnit
from adjustment_svc.app.views import adjustment_view
from adjustment_svc.domain.adjustment import PENDING, AdjustmentRequest, InvoiceView
from adjustment_svc.domain.approval import ApprovalLevel
from adjustment_svc.domain.approval_basis import ApprovalBasis, approval_basis
from adjustment_svc.domain.headroom import check_credit_headroom
from adjustment_svc.domain.memo_lines import RequestedLine, compute_memo


@dataclass(frozen=True)
class RequestAdjustment:
    invoice_id: str
    kind: str  # credit | debit
    lines: list[RequestedLine]
    reason_code: str
    note: str
    requested_by: str
    dispute_id: str | None = None
    attachments: tuple[str, ...] = ()
    root_cause: str | None = None  # oversight.md O4; a dispute's credit inherits the dispute's
    source_exception_id: str | None = None  # oversight.md O3: the invoice_drift exception it corrects


async def stored(unit: AdjustmentUnit, adjustment_id: str) -> AdjustmentRequest:
    """The request as the unit's transaction now holds it (its version bumped by what was just written)."""
    adj = await unit.adjustments.get(adjustment_id)
    if adj is None:
        raise UnknownAdjustment(f"no adjustment request {adjustment_id}")
    return adj


async def _check_references(unit: AdjustmentUnit, cmd: RequestAdjustment) -> InvoiceView:
    # Locking the invoice row serialises concurrent requests on one invoice, so two cannot both pass the
    # headroom check with the same headroom.
    invoice = await unit.invoices.get(cmd.invoice_id, for_update=True)
    if invoice is None:
        raise UnknownInvoice(f"invoice {cmd.invoice_id} is not an issued invoice known to adjustment-svc")
    if invoice.status == "void":
        raise InvoiceNotAdjustable(f"invoice {invoice.invoice_number} is void; a memo needs an issued invoice")
    seen = set()
    for line in cmd.lines:
        if line.invoice_line_id in seen:
            raise InvalidRequest(f"invoice line {line.invoice_line_id} is named twice; name each line once")
        seen.add(line.invoice_line_id)
    if cmd.dispute_id is not None:
        dispute = await unit.invoices.get_dispute(cmd.dispute_id)
        if dispute is None or dispute.invoice_id != cmd.invoice_id:
            raise InvalidRequest(f"dispute {cmd.dispute_id} is not a dispute of invoice {cmd.invoice_id}")
        if await unit.adjustments.live_for_dispute(cmd.dispute_id) is not None:
            raise LiveRequestForDispute(f"dispute {cmd.dispute_id} already has a credit request that was not "
                                        "rejected")
    return invoice


async def _approval_basis(unit: AdjustmentUnit, invoice: InvoiceView, kind: str, total: Decimal,
                          now: datetime) -> ApprovalBasis:
    """Rule 22 on what was requested alongside this request (domain.approval_basis); the bill-to account is held
    from here to the end of the transaction, so concurrent requests are judged in turn."""
    window = unit.policy.account_window
    before = await unit.invoices.requested_before(invoice, kind=kind, window=window,
                                                  period=window.period_of(now, invoice.period))
    return approval_basis(total, before, await unit.policy.limits_for(invoice.currency))


async def request_adjustment(unit: AdjustmentUnit, cmd: RequestAdjustment, now: datetime) -> AdjustmentRequest:
    """Validate, price (rule 21), check headroom (rule 18), record; auto-approve and issue under the small
    limit (rule 22). Writes nothing unless every check passes."""
    invoice = await _check_references(unit, cmd)
    draft = compute_memo(invoice.lines, cmd.lines, invoice.currency)
    if cmd.kind == "credit":
        exposures = await unit.invoices.exposures(invoice, excluding_dispute=cmd.dispute_id)
        check_credit_headroom(cmd.lines, exposures, invoice.currency)
    if not draft.total.is_positive():
        raise InvalidRequest(f"the memo total would be {draft.total.amount} {invoice.currency} after reversing "
                             "discount, commission and tax; a memo must move a positive amount")
    basis = await _approval_basis(unit, invoice, cmd.kind, draft.total.amount, now)
    level = basis.level
    adjustment = AdjustmentRequest(
        adjustment_id=str(uuid.uuid4()), invoice_id=invoice.invoice_id, kind=cmd.kind, status=PENDING,
        reason_code=cmd.reason_code, dispute_id=cmd.dispute_id, note=cmd.note, attachments=cmd.attachments,
        total=draft.total, approval_level=level, requested_by=cmd.requested_by,
        requested_at=now, lines=draft.lines, root_cause=cmd.root_cause,
        source_exception_id=cmd.source_exception_id,
        approval_basis=basis.as_record(cmd.kind, invoice.currency, invoice.invoice_number))
    await unit.adjustments.add(adjustment)
    await unit.record_audit(actor=cmd.requested_by, action="adjustment.requested", entity_type="adjustment",
                            entity_id=adjustment.adjustment_id, reason=cmd.note, after=adjustment_view(adjustment))
    if level is ApprovalLevel.POLICY:
        await issue_memo(unit, adjustment, invoice, now)
    return await stored(unit, adjustment.adjustment_id)
