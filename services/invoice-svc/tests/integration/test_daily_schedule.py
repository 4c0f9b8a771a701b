"""The worker's daily schedule against the real database: a day's job runs in one replica, once, from its time on;
the next day it runs again. The clock is handed in, so nothing waits for a time of day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from invoice_svc.entrypoints.daily_schedule import DailySchedule

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def replica(ctx, clock: Clock, name: str, ran: list[tuple[str, date]], job: str) -> DailySchedule:
    schedule = DailySchedule(ctx, clock=clock, worker_id=name)

    async def run(day: date) -> None:
        ran.append((name, day))

    schedule.add(job, time(2, 0), run)
    return schedule


async def test_a_days_job_runs_once_in_one_of_two_replicas(invoice_ctx, unique: str) -> None:
    job = f"test-job-{unique}"
    ran: list[tuple[str, date]] = []
    clock = Clock(datetime(2031, 3, 4, 1, 59, tzinfo=UTC))
    first, second = (replica(invoice_ctx, clock, n, ran, job) for n in ("worker-a", "worker-b"))

    assert await first.run_due() == [] and await second.run_due() == []   # before its time of day
    clock.now = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)
    assert await first.run_due() == [job]
    assert await second.run_due() == []
    clock.now = datetime(2031, 3, 4, 23, 59, tzinfo=UTC)
    assert await first.run_due() == [] and await second.run_due() == []   # once a day, whoever asks again
    clock.now = datetime(2031, 3, 5, 9, 30, tzinfo=UTC)                   # the next day, late: caught up
    assert await second.run_due() == [job]
    assert await first.run_due() == []
    assert ran == [("worker-a", date(2031, 3, 4)), ("worker-b", date(2031, 3, 5))]


async def test_a_failing_job_is_not_retried_the_same_day_and_other_jobs_still_run(invoice_ctx, unique: str) -> None:
    clock = Clock(datetime(2031, 6, 1, 3, 0, tzinfo=UTC))
    schedule = DailySchedule(invoice_ctx, clock=clock, worker_id="worker-a")
    ran: list[str] = []

    async def fails(day: date) -> None:
        ran.append("fails")
        raise RuntimeError("boom")

    async def works(day: date) -> None:
        ran.append("works")

    schedule.add(f"fails-{unique}", time(0, 0), fails)
    schedule.add(f"works-{unique}", time(0, 0), works)
    assert await schedule.run_due() == [f"fails-{unique}", f"works-{unique}"]
    assert await schedule.run_due() == []
    assert ran == ["fails", "works"]


def test_a_job_name_registers_once(invoice_ctx) -> None:
    schedule = DailySchedule(invoice_ctx)

    async def run(day: date) -> None:
        return None

    schedule.add("job", time(1, 0), run)
    with pytest.raises(ValueError, match="registered twice"):
        schedule.add("job", time(2, 0), run)
