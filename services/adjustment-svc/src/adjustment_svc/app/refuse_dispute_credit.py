"""Use case: the credit of a resolved dispute that cannot be requested is refused, with the reason (rule 20).

The resolution is a fact dispute-svc has already published, but its credit may no longer fit the line (rule 18:
dispute-svc cannot see credit requests waiting for approval, so disputes and a pending credit can together ask for
more than the line holds), or may name what a memo cannot credit. Dead-lettering the event would leave the dispute
resolved with no memo and its amount held for good. Instead the request is recorded as rejected by adjustment-svc
with the reason, and AdjustmentRejected makes dispute-svc reopen the dispute (`in_review`, the hold kept, rule 20).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from adjustment_svc.app.ports import AdjustmentUnit
from adjustment_svc.app.request_adjustment import RequestAdjustment
from adjustment_svc.app.views import adjustment_view
from adjustment_svc.domain.adjustment import PENDING, REJECTED, AdjustmentRequest, InvoiceView
from adjustment_svc.domain.approval import required_level
from adjustment_svc.domain.memo_lines import MemoLineDraft
from mediabill_common.events.catalog import AdjustmentRejected
from mediabill_common.money import Money, round_money

# Who refused: no person decided it, this service's rules did (as "policy" approves small memos).
REFUSED_BY = "adjustment-svc"
# A checker's rejection reason is at most this long (RejectIn); dispute-svc quotes it in DisputeReopened.
REASON_MAX = 2000


def _short(reason: str) -> str:
    return reason if len(reason) <= REASON_MAX else reason[:REASON_MAX - 1] + "\u2026"


def _named_lines(cmd: RequestAdjustment, invoice: InvoiceView) -> tuple[MemoLineDraft, ...]:
    kinds = {line.invoice_line_id: line.kind for line in invoice.lines}
    return tuple(MemoLineDraft(x.invoice_line_id, kinds.get(x.invoice_line_id, "unknown"),
                               round_money(x.amount, invoice.currency), x.description, False) for x in cmd.lines)


async def refuse_dispute_credit(unit: AdjustmentUnit, cmd: RequestAdjustment, invoice: InvoiceView, reason: str,
                                now: datetime) -> AdjustmentRequest:
    """Record the dispute's credit request as rejected with `reason` and publish AdjustmentRejected naming the
    dispute (dispute-svc reopens it with the reason)."""
    reason = _short(reason)
    lines = _named_lines(cmd, invoice)
    total = Money(sum((x.amount for x in lines), round_money(Decimal(0), invoice.currency)), invoice.currency)
    adj = AdjustmentRequest(
        adjustment_id=str(uuid.uuid4()), invoice_id=invoice.invoice_id, kind=cmd.kind, status=PENDING,
        reason_code=cmd.reason_code, dispute_id=cmd.dispute_id, note=cmd.note, attachments=cmd.attachments,
        total=total, approval_level=required_level(total.amount, await unit.policy.limits_for(invoice.currency)),
        requested_by=cmd.requested_by, requested_at=now, lines=lines, root_cause=cmd.root_cause)
    await unit.adjustments.add(adj)
    await unit.adjustments.mark_rejected(adj.adjustment_id, decided_at=now, by=REFUSED_BY, reason=reason)
    refused = replace(adj, status=REJECTED, decided_at=now, rejected_by=REFUSED_BY, rejection_reason=reason)
    await unit.record_audit(actor=REFUSED_BY, action="adjustment.refused", entity_type="adjustment",
                            entity_id=adj.adjustment_id, reason=reason, after=adjustment_view(refused))
    await unit.publish("AdjustmentRejected", key=invoice.bill_to_account_id, subject=adj.adjustment_id,
                       data=AdjustmentRejected(
                           adjustment_id=adj.adjustment_id, invoice_id=invoice.invoice_id,
                           bill_to_account_id=invoice.bill_to_account_id, dispute_id=cmd.dispute_id,
                           rejected_by=REFUSED_BY, reason=reason, rejected_at=now, root_cause=cmd.root_cause))
    return refused
