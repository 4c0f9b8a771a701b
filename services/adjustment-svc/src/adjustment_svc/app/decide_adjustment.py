"""Use cases: a checker approves or rejects a pending adjustment request (rule 22)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adjustment_svc.app.errors import UnknownAdjustment, UnknownInvoice
from adjustment_svc.app.issue_memo import issue_memo
from adjustment_svc.app.ports import AdjustmentUnit
from adjustment_svc.app.request_adjustment import stored
from adjustment_svc.app.views import adjustment_view
from adjustment_svc.domain.adjustment import AdjustmentRequest, GivenApproval, InvoiceView
from adjustment_svc.domain.approval import Approval, check_may_approve, check_may_reject
from adjustment_svc.domain.headroom import check_credit_headroom
from adjustment_svc.domain.memo_lines import RequestedLine
from mediabill_common.events.catalog import AdjustmentRejected


async def _locked(unit: AdjustmentUnit, adjustment_id: str) -> AdjustmentRequest:
    # The row lock makes two approvals racing for the last slot queue: the second sees the first's outcome.
    adj = await unit.adjustments.get(adjustment_id, for_update=True)
    if adj is None:
        raise UnknownAdjustment(f"no adjustment request {adjustment_id}")
    return adj


async def _invoice(unit: AdjustmentUnit, adj: AdjustmentRequest, *, for_update: bool = False) -> InvoiceView:
    invoice = await unit.invoices.get(adj.invoice_id, for_update=for_update)
    if invoice is None:
        raise UnknownInvoice(f"invoice {adj.invoice_id} is missing from the read model")
    return invoice


async def check_headroom_still_holds(unit: AdjustmentUnit, adj: AdjustmentRequest, invoice: InvoiceView) -> None:
    """Rule 18 again at approval: since the request was made, disputes may have been opened (dispute-svc cannot see
    pending requests) and other credits issued. Raises HeadroomExceeded (409 with the lines) if it no longer fits."""
    if adj.kind != "credit":
        return
    exposures = await unit.invoices.exposures(invoice, excluding_dispute=adj.dispute_id,
                                              excluding_adjustment=adj.adjustment_id)
    named = [RequestedLine(x.invoice_line_id, x.amount, x.description) for x in adj.lines
             if not x.derived and x.invoice_line_id is not None]
    check_credit_headroom(named, exposures, invoice.currency)


async def approve_adjustment(unit: AdjustmentUnit, adjustment_id: str, *, approver: str, roles: frozenset[str],
                             comment: str | None, now: datetime, root_cause: str | None = None) -> AdjustmentRequest:
    """Record one approval after re-checking the headroom (rule 18) under the invoice's lock; the approval that
    completes the policy issues the memo in the same transaction. A root cause given replaces the request's."""
    adj = await _locked(unit, adjustment_id)
    check_may_approve(level=adj.approval_level, status=adj.status, requested_by=adj.requested_by,
                      given=[a.as_approval() for a in adj.approvals], approver=Approval(approver, roles))
    invoice = await _invoice(unit, adj, for_update=True)
    await check_headroom_still_holds(unit, adj, invoice)
    given = GivenApproval(approver, roles, now, comment)
    await unit.adjustments.add_approval(adjustment_id, given)
    if root_cause is not None:
        await unit.adjustments.record_root_cause(adjustment_id, root_cause)
    approved = replace(adj, approvals=(*adj.approvals, given), root_cause=root_cause or adj.root_cause)
    await unit.record_audit(actor=approver, action="adjustment.approved", entity_type="adjustment",
                            entity_id=adjustment_id, reason=comment, before=adjustment_view(adj),
                            after=adjustment_view(approved))
    if not approved.approvals_still_needed():
        await issue_memo(unit, approved, invoice, now)
    return await stored(unit, adjustment_id)


async def reject_adjustment(unit: AdjustmentUnit, adjustment_id: str, *, rejector: str, reason: str | None,
                            now: datetime, root_cause: str | None = None) -> AdjustmentRequest:
    """Reject with a reason; AdjustmentRejected tells dispute-svc to reopen a dispute this request settled."""
    adj = await _locked(unit, adjustment_id)
    check_may_reject(status=adj.status, requested_by=adj.requested_by, rejector=rejector, reason=reason)
    await unit.adjustments.mark_rejected(adjustment_id, decided_at=now, by=rejector, reason=reason or "",
                                         root_cause=root_cause)
    invoice = await _invoice(unit, adj)
    await unit.publish("AdjustmentRejected", key=invoice.bill_to_account_id, subject=adjustment_id,
                       data=AdjustmentRejected(
                           adjustment_id=adjustment_id, invoice_id=adj.invoice_id,
                           bill_to_account_id=invoice.bill_to_account_id, dispute_id=adj.dispute_id,
                           rejected_by=rejector, reason=reason or "", rejected_at=now,
                           root_cause=root_cause or adj.root_cause))
    rejected = await stored(unit, adjustment_id)
    await unit.record_audit(actor=rejector, action="adjustment.rejected", entity_type="adjustment",
                            entity_id=adjustment_id, reason=reason, before=adjustment_view(adj),
                            after=adjustment_view(rejected))
    return rejected
