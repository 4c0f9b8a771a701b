"""The demo's clock for disputes: when each is opened, assigned and resolved after the month is issued.

dispute-svc records the time it receives a change. On a demo stack (DEMO_CLOCK, see docs/operations.md) a request
may name its time instead (header Mediabill-Demo-Time), so that the demo shows disputes handled over hours and
weeks, as analysts do, and the turnaround KPIs mean something. Some run late against the SLA (assigned within 2
business days, resolved within 30 calendar days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Hours after the month is issued: (opened, assigned after opening, resolved after opening).
DISPUTE_HOURS: tuple[tuple[int, int, int], ...] = (
    (3, 2, 26),      # a small credit, settled the next day
    (6, 20, 74),     # assigned next morning, resolved in three days
    (27, 5, 190),    # a week of investigation
    (30, 70, 260),   # assigned after almost three days: late against the 2-business-day target on most weekdays
    (52, 4, 790),    # resolved after 33 days: past the 30-day target
    (75, 9, 130),
)
# How far past the issue the demo clock runs (a summary shown again later still covers every demo dispute).
DEMO_CLOCK_HORIZON = timedelta(hours=max(opened + resolved for opened, _, resolved in DISPUTE_HOURS))


@dataclass(frozen=True)
class DisputeTimes:
    opened_at: datetime
    assigned_at: datetime
    resolved_at: datetime


def dispute_times(issued_at: datetime, count: int) -> list[DisputeTimes]:
    """The times of the first `count` demo disputes, counted from when the month was issued."""
    out = []
    for opened, assigned, resolved in DISPUTE_HOURS[:count]:
        start = issued_at + timedelta(hours=opened)
        out.append(DisputeTimes(start, start + timedelta(hours=assigned), start + timedelta(hours=resolved)))
    return out
