"""The daily schedule's claims: one row per (job, day), so one worker replica runs a day's job."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA

_CLAIM = text(f"""
    INSERT INTO {SCHEMA}.scheduled_job_runs (job, day, claimed_by) VALUES (:job, :day, :by)
    ON CONFLICT (job, day) DO NOTHING RETURNING job""")


class ScheduleRepository:
    """Claims of daily jobs over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_day(self, job: str, day: date, claimed_by: str) -> bool:
        """True for the one caller that claims (job, day) first; False for every later one (committed or not:
        a concurrent claim waits on the key and then finds it taken)."""
        row = (await self._session.execute(_CLAIM, {"job": job, "day": day, "by": claimed_by})).first()
        return row is not None
