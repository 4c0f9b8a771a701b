"""CreditMemoIssued: the memo's lines are credited; a memo settling a dispute turns that dispute's hold into the
credit."""

from __future__ import annotations

from dispute_svc.app.handlers.waiting_for_invoice import parked_until_invoice_arrives
from dispute_svc.app.ports import DisputeUnit
from dispute_svc.app.views import snapshot
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import MemoIssued


async def when_credit_memo_issued_reduce_headroom(event: Event[MemoIssued], unit: DisputeUnit) -> None:
    memo = event.payload
    if await parked_until_invoice_arrives(event, unit, memo.invoice_id):
        return
    # A replayed memo credits nothing more and settles nothing again.
    if not await unit.invoices.record_credit_memo(memo) or memo.dispute_id is None:
        return
    dispute = await unit.disputes.get(memo.dispute_id, for_update=True)
    if dispute is None or dispute.status != "resolved":
        return
    before = snapshot(dispute)
    dispute.settle_credit(at=memo.issued_at, memo_number=memo.memo_number)
    await unit.disputes.save(dispute)
    await unit.record_audit(actor="adjustment-svc", action="dispute.credit_issued", entity_type="dispute",
                            entity_id=dispute.dispute_id, reason=f"credit memo {memo.memo_number} issued",
                            before=before, after=snapshot(dispute))
