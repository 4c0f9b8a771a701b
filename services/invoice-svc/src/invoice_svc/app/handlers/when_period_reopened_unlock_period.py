"""PeriodReopened (accounting-svc only): the period may be issued again (close.md C11-C12)."""

from __future__ import annotations

from invoice_svc.app.period_lock import record_period_change
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.app.stored import PeriodLockChange
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import PeriodReopened


async def when_period_reopened_unlock_period(event: Event[PeriodReopened], unit: InvoiceUnit) -> None:
    data = event.payload
    await record_period_change(unit, PeriodLockChange(data.period, "reopened", data.by, data.at, data.reason,
                                                      event.id))
