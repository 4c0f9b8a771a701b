"""DisputeResolved: release the disputed amounts; a credit outcome becomes a credit request (rule 20), or, when it
cannot (rule 18 headroom, a void invoice), a refused one that makes dispute-svc reopen the dispute."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.adjustment_repository import AdjustmentRepository
from adjustment_svc.adapters.invoice_repository import DisputeView, InvoiceReadModel
from adjustment_svc.app.errors import LiveRequestForDispute
from adjustment_svc.app.handlers.deps import HandlerDeps
from adjustment_svc.app.handlers.dispute_state import known_dispute_or_park
from adjustment_svc.app.refuse_dispute_credit import refuse_dispute_credit
from adjustment_svc.app.request_adjustment import RequestAdjustment, request_adjustment
from adjustment_svc.domain.dispute_credit import allocate_dispute_credit
from adjustment_svc.domain.errors import AdjustmentError
from adjustment_svc.domain.memo_lines import RequestedLine
from mediabill_common.events.catalog import DisputeResolved
from mediabill_common.events.envelope import Envelope

log = logging.getLogger(__name__)


def _credit_request(payload: DisputeResolved, dispute: DisputeView) -> RequestAdjustment:
    allocated = allocate_dispute_credit(payload.outcome, payload.credit_amount, dispute.lines, payload.currency)
    return RequestAdjustment(
        invoice_id=payload.invoice_id, kind="credit", reason_code=dispute.reason_code,
        note=f"Dispute {payload.dispute_id} resolved {payload.outcome}: {payload.resolution_note}",
        requested_by=payload.resolved_by, dispute_id=payload.dispute_id,
        lines=[RequestedLine(a.invoice_line_id, a.amount, f"Credit for dispute {payload.dispute_id}")
               for a in allocated])


async def when_dispute_resolved_request_credit(session: AsyncSession, envelope: Envelope,
                                               payload: DisputeResolved, deps: HandlerDeps) -> None:
    dispute = await known_dispute_or_park(session, envelope, payload.invoice_id, payload.dispute_id, deps)
    if dispute is None:
        return
    await InvoiceReadModel(session).set_dispute_status(payload.dispute_id, "resolved", payload.outcome)
    if payload.outcome == "rejected" or payload.credit_amount <= 0:
        return
    existing = await AdjustmentRepository(session).live_for_dispute(payload.dispute_id)
    if existing is not None:
        log.info("dispute already has a credit request", extra={"dispute_id": payload.dispute_id,
                                                                "adjustment_id": existing})
        return
    cmd = _credit_request(payload, dispute)
    try:
        # A savepoint, so a refusal leaves nothing of the attempt behind.
        async with session.begin_nested():
            await request_adjustment(session, deps.ctx, cmd, deps.clock())
    except LiveRequestForDispute:
        log.info("dispute already has a credit request", extra={"dispute_id": payload.dispute_id})
    except AdjustmentError as exc:
        # Never a dead letter: the dispute would stay resolved with no memo. Rejected, so dispute-svc reopens it.
        invoice = await InvoiceReadModel(session).get(payload.invoice_id)
        await refuse_dispute_credit(session, deps.ctx, cmd, invoice, f"the credit for dispute {payload.dispute_id} "
                                    f"({payload.outcome}) cannot be requested: {exc}", deps.clock())
