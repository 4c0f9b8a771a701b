"""AdjustmentRejected: rule 20, the credit request that settles an upheld dispute was rejected, so the dispute is
back in review (DisputeReopened)."""

from __future__ import annotations

import logging

from dispute_svc.app.ports import DisputeUnit
from dispute_svc.app.views import snapshot
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import AdjustmentRejected, DisputeReopened

log = logging.getLogger(__name__)


async def when_adjustment_rejected_reopen_dispute(event: Event[AdjustmentRejected], unit: DisputeUnit) -> None:
    rejected = event.payload
    if rejected.dispute_id is None:
        return
    dispute = await unit.disputes.get(rejected.dispute_id, for_update=True)
    if dispute is None or dispute.status != "resolved" or dispute.outcome not in ("upheld", "partially_upheld") \
            or dispute.credit_settled:
        log.info("adjustment rejection needs no reopening", extra={"dispute_id": rejected.dispute_id})
        return
    before = snapshot(dispute)
    reason = f"credit request {rejected.adjustment_id} was rejected by {rejected.rejected_by}: {rejected.reason}"
    dispute.reopen(reason, by=rejected.rejected_by, at=rejected.rejected_at)
    await unit.disputes.save(dispute)
    await unit.record_audit(actor=rejected.rejected_by, action="dispute.reopened", entity_type="dispute",
                            entity_id=dispute.dispute_id, reason=reason, before=before, after=snapshot(dispute))
    await unit.publish("DisputeReopened", key=dispute.bill_to_account_id, subject=dispute.dispute_id,
                       causationid=event.id, data=DisputeReopened(
                           dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                           bill_to_account_id=dispute.bill_to_account_id, reason=reason,
                           reopened_at=rejected.rejected_at))
