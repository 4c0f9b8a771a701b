"""PeriodClosed (accounting-svc only; events.sources dead-letters any other source): lock the period for issue runs
(close.md C12)."""

from __future__ import annotations

from invoice_svc.app.period_lock import record_period_change
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.app.stored import PeriodLockChange
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import PeriodClosed


async def when_period_closed_lock_period(event: Event[PeriodClosed], unit: InvoiceUnit) -> None:
    data = event.payload
    await record_period_change(unit, PeriodLockChange(data.period, "closed", data.by, data.at, data.reason,
                                                      event.id))
