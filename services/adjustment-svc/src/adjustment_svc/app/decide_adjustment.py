"""Use cases: a checker approves or rejects a pending adjustment request (rule 22)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.events.catalog import AdjustmentRejected
from mediabill_common.service import ServiceContext

from adjustment_svc.app.errors import UnknownAdjustment, UnknownInvoice
from adjustment_svc.app.issue_memo import issue_memo
from adjustment_svc.app.repositories import Repositories
from adjustment_svc.app.views import adjustment_view
from adjustment_svc.domain.adjustment import AdjustmentRequest, GivenApproval
from adjustment_svc.domain.approval import Approval, check_may_approve, check_may_reject


async def _locked(repos: Repositories, adjustment_id: str) -> AdjustmentRequest:
    # The row lock makes two approvals racing for the last slot queue: the second sees the first's outcome.
    adj = await repos.adjustments.get(adjustment_id, for_update=True)
    if adj is None:
        raise UnknownAdjustment(f"no adjustment request {adjustment_id}")
    return adj


async def approve_adjustment(session: AsyncSession, ctx: ServiceContext, adjustment_id: str, *, approver: str,
                             roles: frozenset[str], comment: str | None, now: datetime) -> AdjustmentRequest:
    """Record one approval; the approval that completes the policy issues the memo in the same transaction."""
    repos = Repositories.on(session)
    adj = await _locked(repos, adjustment_id)
    check_may_approve(level=adj.approval_level, status=adj.status, requested_by=adj.requested_by,
                      given=[a.as_approval() for a in adj.approvals], approver=Approval(approver, roles))
    given = GivenApproval(approver, roles, now, comment)
    await repos.adjustments.add_approval(adjustment_id, given)
    approved = replace(adj, approvals=(*adj.approvals, given))
    await ctx.audit.record(session, actor=approver, action="adjustment.approved", entity_type="adjustment",
                           entity_id=adjustment_id, reason=comment, before=adjustment_view(adj),
                           after=adjustment_view(approved))
    if not approved.approvals_still_needed():
        invoice = await repos.invoices.get(adj.invoice_id, for_update=True)
        if invoice is None:
            raise UnknownInvoice(f"invoice {adj.invoice_id} is missing from the read model")
        await issue_memo(session, ctx, approved, invoice, now)
    return await repos.adjustments.get(adjustment_id)


async def reject_adjustment(session: AsyncSession, ctx: ServiceContext, adjustment_id: str, *, rejector: str,
                            reason: str | None, now: datetime) -> AdjustmentRequest:
    """Reject with a reason; AdjustmentRejected tells dispute-svc to reopen a dispute this request settled."""
    repos = Repositories.on(session)
    adj = await _locked(repos, adjustment_id)
    check_may_reject(status=adj.status, requested_by=adj.requested_by, rejector=rejector, reason=reason)
    await repos.adjustments.mark_rejected(adjustment_id, decided_at=now, by=rejector, reason=reason or "")
    invoice = await repos.invoices.get(adj.invoice_id)
    await ctx.outbox.publish(session, "AdjustmentRejected", key=invoice.bill_to_account_id, subject=adjustment_id,
                             data=AdjustmentRejected(
                                 adjustment_id=adjustment_id, invoice_id=adj.invoice_id,
                                 bill_to_account_id=invoice.bill_to_account_id, dispute_id=adj.dispute_id,
                                 rejected_by=rejector, reason=reason or "", rejected_at=now))
    rejected = await repos.adjustments.get(adjustment_id)
    await ctx.audit.record(session, actor=rejector, action="adjustment.rejected", entity_type="adjustment",
                           entity_id=adjustment_id, reason=reason, before=adjustment_view(adj),
                           after=adjustment_view(rejected))
    return rejected

