"""The SLA clock of a dispute (rule 19): assignment in business days, resolution in calendar days.

Business days are Monday to Friday in UTC; public holidays are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

AGE_BUCKETS: tuple[str, ...] = ("0-7d", "8-30d", "31-60d", ">60d")


@dataclass(frozen=True)
class SlaTarget:
    assignment_business_days: int = 2
    resolution_calendar_days: int = 30


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per reason code, falling back to the default (rule 19: 2 business days, 30 calendar days)."""

    default: SlaTarget = SlaTarget()
    by_reason: Mapping[str, SlaTarget] = field(default_factory=dict)

    def target_for(self, reason_code: str) -> SlaTarget:
        return self.by_reason.get(reason_code, self.default)


@dataclass(frozen=True)
class SlaClock:
    assignment_due_at: datetime
    resolution_due_at: datetime


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` weekdays, keeping the time of day; Saturdays and Sundays are skipped.

    Opened on a weekend, the count starts with the Monday: Saturday + 1 business day is Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    moment = start
    counted = 0
    while counted < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            counted += 1
    return moment


def sla_clock(opened_at: datetime, target: SlaTarget) -> SlaClock:
    """When a dispute opened at `opened_at` must be assigned and resolved."""
    return SlaClock(add_business_days(opened_at, target.assignment_business_days),
                    opened_at + timedelta(days=target.resolution_calendar_days))


def age(opened_at: datetime, closed_at: datetime | None, now: datetime) -> timedelta:
    """How long the dispute has been (or was) open."""
    return (closed_at or now) - opened_at


def age_bucket(open_for: timedelta) -> str:
    """The reporting bucket of an age: 0-7d, 8-30d, 31-60d, >60d (whole days elapsed)."""
    days = open_for.days
    if days <= 7:
        return "0-7d"
    if days <= 30:
        return "8-30d"
    if days <= 60:
        return "31-60d"
    return ">60d"


def assignment_overdue(assignment_due_at: datetime, assigned_at: datetime | None, status: str,
                       now: datetime) -> bool:
    """Not assigned by the due time: still unassigned past it, or assigned after it."""
    if assigned_at is not None:
        return assigned_at > assignment_due_at
    return status == "open" and now > assignment_due_at


def resolution_overdue(resolution_due_at: datetime, resolved_at: datetime | None, status: str,
                       now: datetime) -> bool:
    """Not resolved by the due time: still active past it, or resolved after it. Withdrawn is never overdue."""
    if status == "withdrawn":
        return False
    if status == "resolved" and resolved_at is not None:
        return resolved_at > resolution_due_at
    return now > resolution_due_at


def is_overdue(status: str, assignment_due_at: datetime, resolution_due_at: datetime, now: datetime) -> bool:
    """On the worklist as overdue: still active and past a due time it has not met."""
    if status not in ("open", "in_review"):
        return False
    return (status == "open" and now > assignment_due_at) or now > resolution_due_at


def policy_document(policy: SlaPolicy) -> dict[str, Any]:
    """The policy as the API and the database show it."""
    def target(t: SlaTarget) -> dict[str, int]:
        return {"assignment_business_days": t.assignment_business_days,
                "resolution_calendar_days": t.resolution_calendar_days}
    return {"default": target(policy.default),
            "by_reason_code": {code: target(t) for code, t in sorted(policy.by_reason.items())}}


def policy_from_document(document: Mapping[str, Any]) -> SlaPolicy:
    """The policy from its document form (see `policy_document`)."""
    def target(raw: Mapping[str, Any]) -> SlaTarget:
        return SlaTarget(int(raw["assignment_business_days"]), int(raw["resolution_calendar_days"]))
    return SlaPolicy(target(document["default"]),
                     {code: target(raw) for code, raw in (document.get("by_reason_code") or {}).items()})
