"""The worker's daily schedule: jobs that run once a day, at a time of day (UTC), in one worker replica.

Register a job with `DailySchedule.add(name, at, run)`; `entrypoints/worker.py` builds the schedule
(`daily_schedule`) and runs it beside the bill-run executor. Every `poll_s` the schedule runs each job whose time
of day has passed and that no replica has claimed for today: the claim is a row per (job, day) inserted first
(`scheduled_job_runs`, primary key), so however many workers run, one runs a day's job. A worker started after a
job's time runs that day's job at once (catch-up); a day missed entirely (no worker running) is not replayed.

A small loop rather than a scheduler library (APScheduler and the like): what needs care here is the cross-replica
once-per-day guard, which such a library leaves to a job store of its own, and a claim row in our own schema is
smaller than that. A job that fails is logged, and not retried that day (its claim stays): a job that wants its
work retried records the work durably, as an assurance run does, and lets the worker that picks it up finish it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from invoice_svc.context import InvoiceContext

log = logging.getLogger(__name__)

DailyRun = Callable[[date], Awaitable[object]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class DailyJob:
    """A job run once per UTC day, from `at` (UTC time of day) on."""

    name: str
    at: time
    run: DailyRun


class DailySchedule:
    """The daily jobs of one worker process, claimed per day in the database."""

    def __init__(self, ctx: InvoiceContext, *, poll_s: float = 30.0, clock: Clock | None = None,
                 worker_id: str | None = None) -> None:
        self.ctx = ctx
        self.poll_s = poll_s
        self.clock = clock or (lambda: datetime.now(UTC))
        self.worker_id = worker_id or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.jobs: list[DailyJob] = []

    def add(self, name: str, at: time, run: DailyRun) -> None:
        """Register a daily job: `run(day)` is awaited once per UTC day from `at` on, in one replica."""
        if any(j.name == name for j in self.jobs):
            raise ValueError(f"daily job {name!r} is registered twice")
        self.jobs.append(DailyJob(name, at, run))

    async def run_due(self) -> list[str]:
        """Run every job due now that this worker claims for today; the names of those it ran."""
        now = self.clock().astimezone(UTC)
        ran: list[str] = []
        for job in self.jobs:
            if now.time() < job.at:
                continue
            if not await self._claim(job.name, now.date()):
                continue
            ran.append(job.name)
            try:
                await job.run(now.date())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("daily job %s of %s failed", job.name, now.date())
        return ran

    async def _claim(self, name: str, day: date) -> bool:
        async with self.ctx.sessions() as session, session.begin():
            return await self.ctx.deps.units.over(session).schedule.claim_day(name, day, self.worker_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: run due jobs, then wait `poll_s`."""
        if not self.jobs:
            return
        while not stop.is_set():
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("daily schedule iteration failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
