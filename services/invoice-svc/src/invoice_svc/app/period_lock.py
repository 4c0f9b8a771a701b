"""The period lock (close.md C12): accounting-svc closes and reopens periods; while one is closed, no `issue` bill
run bills it, and what it still owes goes on the next open period's invoices as prior-period lines."""

from __future__ import annotations

from invoice_svc.app.ports import InvoiceUnit, PeriodLocks
from invoice_svc.app.stored import PeriodLockChange
from invoice_svc.domain.errors import RuleViolation


class PeriodClosedForBilling(RuleViolation):
    """An `issue` bill run for a period accounting-svc closed (409)."""


async def record_period_change(unit: InvoiceUnit, change: PeriodLockChange) -> None:
    """Keep the change once the period's bill-run writes are done (a chunk issuing when the close arrives is
    waited for; a later one sees the lock), and audit it."""
    await unit.periods.hold(change.period)
    before = await unit.periods.get(change.period)
    await unit.periods.record(change)
    await unit.record_audit(actor=change.changed_by, action=f"period_{change.status}", entity_type="period",
                            entity_id=change.period, reason=change.reason,
                            before={"status": before.status} if before is not None else None,
                            after={"status": change.status, "at": change.changed_at.isoformat()})


async def refuse_issue_if_closed(periods: PeriodLocks, period: str, mode: str) -> None:
    """Raise PeriodClosedForBilling for an `issue` run of a closed period; previews are always allowed."""
    if mode == "issue" and await periods.closed_among([period]):
        raise PeriodClosedForBilling(
            f"Period {period} is closed in accounting-svc: it cannot be issued. What it still owes is billed on the "
            "next open period's invoices as prior-period lines; reopen the period in accounting-svc to issue it.")
