"""The SLA clock: business days skip weekends; resolution in calendar days; ageing and overdue flags."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dispute_svc.domain.sla import (
    SlaPolicy,
    SlaTarget,
    add_business_days,
    age_bucket,
    assignment_overdue,
    is_overdue,
    policy_document,
    policy_from_document,
    resolution_overdue,
    sla_clock,
)
from dispute_svc.settings import Settings


def at(day: int, hour: int = 10) -> datetime:
    # November 2026: the 2nd is a Monday, the 6th a Friday, the 7th/8th the weekend.
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("opened", "days", "due"), [
    (at(2), 2, at(4)),        # Monday + 2 -> Wednesday
    (at(5), 2, at(9)),        # Thursday + 2 -> Monday (skips Sat/Sun)
    (at(6, 15), 2, at(10, 15)),  # Friday 15:00 + 2 -> Tuesday 15:00
    (at(7), 1, at(9)),        # Saturday + 1 -> Monday
    (at(8), 2, at(10)),       # Sunday + 2 -> Tuesday
    (at(6), 5, at(13)),       # Friday + 5 -> next Friday
    (at(6), 0, at(6)),
])
def test_business_days_skip_weekends(opened, days, due):
    assert add_business_days(opened, days) == due


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)), st.integers(0, 40))
def test_business_day_due_time_is_a_weekday_with_exactly_n_weekdays_in_between(start, days):
    due = add_business_days(start, days)
    weekdays = sum(1 for i in range(1, (due - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)
    assert weekdays == days
    assert days == 0 or due.weekday() < 5
    assert due.time() == start.time()
    assert (due - start).days <= days + 2 * (days // 5 + 1)


def test_default_clock_is_two_business_days_and_thirty_calendar_days():
    clock = sla_clock(at(6), SlaPolicy().target_for("tax"))
    assert clock.assignment_due_at == at(10)
    assert clock.resolution_due_at == at(6) + timedelta(days=30)


def test_policy_targets_per_reason_code_fall_back_to_default():
    policy = SlaPolicy(SlaTarget(2, 30), {"tax": SlaTarget(1, 10)})
    assert policy.target_for("tax") == SlaTarget(1, 10)
    assert policy.target_for("other") == SlaTarget(2, 30)
    assert policy_from_document(policy_document(policy)) == policy


@pytest.mark.parametrize(("days", "bucket"), [(0, "0-7d"), (7, "0-7d"), (8, "8-30d"), (30, "8-30d"),
                                              (31, "31-60d"), (60, "31-60d"), (61, ">60d")])
def test_age_buckets(days, bucket):
    assert age_bucket(timedelta(days=days, hours=23)) == bucket


def test_unassigned_dispute_past_assignment_due_is_overdue():
    due = at(4)
    assert assignment_overdue(due, None, "open", at(5))
    assert not assignment_overdue(due, None, "open", at(3))
    assert assignment_overdue(due, at(5), "in_review", at(5))
    assert not assignment_overdue(due, at(3), "in_review", at(20))
    assert is_overdue("open", due, at(30), at(5))
    assert not is_overdue("in_review", due, at(30), at(5))


def test_resolution_overdue_counts_late_resolutions_but_never_withdrawals():
    due = at(20)
    assert resolution_overdue(due, None, "in_review", at(21))
    assert resolution_overdue(due, at(21), "resolved", at(25))
    assert not resolution_overdue(due, at(19), "resolved", at(25))
    assert not resolution_overdue(due, None, "withdrawn", at(25))
    assert is_overdue("in_review", at(1), due, at(21))
    assert not is_overdue("resolved", at(1), due, at(21))


def test_production_settings_refuse_the_demo_clock():
    assert Settings(demo_clock=True).demo_clock and not Settings().demo_clock
    with pytest.raises(ValidationError, match="production authentication"):
        Settings(demo_clock=True, jwt_jwks_url="https://idp.example/.well-known/jwks.json")
