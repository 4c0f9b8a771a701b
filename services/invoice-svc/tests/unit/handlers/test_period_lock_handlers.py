"""PeriodClosed / PeriodReopened (accounting-svc) through the handler table over in-memory ports: the lock follows
the latest change, waits for the period's bill-run writes, and is audited; an issue run of a closed period is
refused, a preview is not."""

from __future__ import annotations

import pytest

from invoice_svc.app.handlers import HANDLERS
from invoice_svc.app.period_lock import PeriodClosedForBilling, refuse_issue_if_closed
from mediabill_common.consumer import Event
from mediabill_common.testing.kafka import envelope_for


def closed(period: str, at: str) -> Event:
    return Event.of(envelope_for("PeriodClosed", {"period": period, "by": "dora@example.com", "at": at,
                                                  "snapshot_id": "snap-1"}, subject=period))


def reopened(period: str, at: str) -> Event:
    return Event.of(envelope_for("PeriodReopened", {"period": period, "by": "dora@example.com", "at": at,
                                                    "reason": "late agency deliveries"}, subject=period))


async def test_period_closed_locks_the_period_for_issue_runs_only(unit):
    await HANDLERS.dispatch(closed("2025-03", "2025-04-06T10:00:00Z"), unit)
    assert unit.periods.held == ["2025-03"]
    with pytest.raises(PeriodClosedForBilling, match="2025-03 is closed"):
        await refuse_issue_if_closed(unit.periods, "2025-03", "issue")
    await refuse_issue_if_closed(unit.periods, "2025-03", "preview")
    await refuse_issue_if_closed(unit.periods, "2025-04", "issue")
    assert [(a["action"], a["entity_id"], a["after"]["status"]) for a in unit.audited] == [
        ("period_closed", "2025-03", "closed")]


async def test_period_reopened_unlocks_it_and_an_older_change_does_not_undo_a_newer(unit):
    await HANDLERS.dispatch(closed("2025-03", "2025-04-06T10:00:00Z"), unit)
    await HANDLERS.dispatch(reopened("2025-03", "2025-04-09T10:00:00Z"), unit)
    await refuse_issue_if_closed(unit.periods, "2025-03", "issue")
    assert unit.audited[-1]["reason"] == "late agency deliveries"
    await HANDLERS.dispatch(closed("2025-03", "2025-04-07T10:00:00Z"), unit)  # older than the reopen
    await refuse_issue_if_closed(unit.periods, "2025-03", "issue")
    await HANDLERS.dispatch(closed("2025-03", "2025-04-10T10:00:00Z"), unit)  # closed again
    assert await unit.periods.closed_among(["2025-03"]) == {"2025-03"}
