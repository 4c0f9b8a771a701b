"""DisputeResolved: release the disputed amounts; a credit outcome becomes a credit request (rule 20), or, when it
cannot (rule 18 headroom, a void invoice), a refused one that makes dispute-svc reopen the dispute."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from adjustment_svc.app.errors import LiveRequestForDispute, UnknownInvoice
from adjustment_svc.app.handlers.waiting_for import known_dispute_or_park
from adjustment_svc.app.ports import AdjustmentUnit, DisputeView
from adjustment_svc.app.refuse_dispute_credit import refuse_dispute_credit
from adjustment_svc.app.request_adjustment import RequestAdjustment, request_adjustment
from adjustment_svc.domain.dispute_credit import allocate_dispute_credit
from adjustment_svc.domain.errors import AdjustmentError
from adjustment_svc.domain.memo_lines import RequestedLine
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import DisputeResolved
from mediabill_common.money import Money

log = logging.getLogger(__name__)


def _credit_request(payload: DisputeResolved, dispute: DisputeView) -> RequestAdjustment:
    credit = Money(payload.credit_amount, payload.currency)
    allocated = allocate_dispute_credit(payload.outcome, credit, dispute.lines)
    return RequestAdjustment(
        invoice_id=payload.invoice_id, kind="credit", reason_code=dispute.reason_code,
        note=f"Dispute {payload.dispute_id} resolved {payload.outcome}: {payload.resolution_note}",
        requested_by=payload.resolved_by, dispute_id=payload.dispute_id, root_cause=payload.root_cause,
        lines=[RequestedLine(a.invoice_line_id, a.amount, f"Credit for dispute {payload.dispute_id}")
               for a in allocated])


async def when_dispute_resolved_request_credit(event: Event[DisputeResolved], unit: AdjustmentUnit) -> None:
    resolved = event.payload
    dispute = await known_dispute_or_park(event, unit, resolved.invoice_id, resolved.dispute_id)
    if dispute is None:
        return
    await unit.invoices.set_dispute_status(resolved.dispute_id, "resolved", resolved.outcome)
    if resolved.outcome == "rejected" or resolved.credit_amount <= 0:
        return
    existing = await unit.adjustments.live_for_dispute(resolved.dispute_id)
    if existing is not None:
        log.info("dispute already has a credit request", extra={"dispute_id": resolved.dispute_id,
                                                                "adjustment_id": existing})
        return
    cmd = _credit_request(resolved, dispute)
    now = datetime.now(UTC)
    try:
        # A savepoint, so a refusal leaves nothing of the attempt behind.
        async with unit.savepoint():
            await request_adjustment(unit, cmd, now)
    except LiveRequestForDispute:
        log.info("dispute already has a credit request", extra={"dispute_id": resolved.dispute_id})
    except AdjustmentError as exc:
        # Never a dead letter: the dispute would stay resolved with no memo. Rejected, so dispute-svc reopens it.
        invoice = await unit.invoices.get(resolved.invoice_id)
        if invoice is None:  # known_dispute_or_park saw it: only a changed read model could get here
            raise UnknownInvoice(f"invoice {resolved.invoice_id} is missing from the read model") from exc
        await refuse_dispute_credit(unit, cmd, invoice, f"the credit for dispute {resolved.dispute_id} "
                                    f"({resolved.outcome}) cannot be requested: {exc}", now)
