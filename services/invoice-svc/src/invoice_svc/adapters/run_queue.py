"""The queue behind both kinds of background run (bill runs, assurance runs): a run is requested `queued`, claimed
by one executor (FOR UPDATE SKIP LOCKED; a `running` run whose executor stopped beating its heart is claimed again,
one attempt more), writes its progress and beats its heart only while it still holds the claim, and finishes once.
The tables differ only in what progress a run records; the statements are written here once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.ports import LostClaim
from mediabill_common.db.reads import fetch_all

_HELD = "run_id = :id AND claimed_by = :me AND attempts = :attempt AND status = 'running'"


class Claimed(Protocol):
    """A run as its executor holds it (a BillRun, an AssuranceRun)."""

    @property
    def run_id(self) -> str: ...
    @property
    def claimed_by(self) -> str | None: ...
    @property
    def attempts(self) -> int: ...


class RunQueue:
    """The queue statements of one run table (`columns`: the run's stored columns, in its dataclass's order;
    `progress`: the SET clause a progress write adds to the heartbeat)."""

    def __init__(self, table: str, columns: Sequence[str], *, progress: str) -> None:
        qualified = f"{SCHEMA}.{table}"
        self.columns = ", ".join(columns)
        self._claim_next = text(f"""
            UPDATE {qualified} r
               SET status = 'running', claimed_by = :me, attempts = r.attempts + 1, heartbeat_at = clock_timestamp(),
                   started_at = COALESCE(r.started_at, clock_timestamp())
             WHERE r.run_id = (
                   SELECT run_id FROM {qualified}
                    WHERE status = 'queued'
                       OR (status = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => :stale))
                    ORDER BY requested_at, run_id
                    LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {", ".join(f"r.{c}" for c in columns)}""")
        self._progress = text(f"UPDATE {qualified} SET {progress}, heartbeat_at = clock_timestamp() WHERE {_HELD}")
        self._finish = text(f"""
            UPDATE {qualified} SET status = :status, error = :error, finished_at = clock_timestamp(),
                   heartbeat_at = clock_timestamp()
             WHERE {_HELD}""")
        self._get = f"SELECT {self.columns} FROM {qualified} WHERE run_id = :id"
        self._page = (f"SELECT {self.columns} FROM {qualified} {{where}} "
                      "ORDER BY requested_at DESC, run_id DESC LIMIT :lim")

    async def claim_next(self, session: AsyncSession, executor_id: str, stale_after_s: float) \
            -> Mapping[str, Any] | None:
        """The oldest queued run, or a running one whose executor stopped beating, now claimed; None when none."""
        result = await session.execute(self._claim_next, {"me": executor_id, "stale": stale_after_s})
        return cast("Mapping[str, Any] | None", result.mappings().first())

    async def record_progress(self, session: AsyncSession, run: Claimed, values: Mapping[str, Any]) -> None:
        """Write progress (and beat the heart) only while this executor still holds the claim (else LostClaim)."""
        result = await session.execute(self._progress, {**_held(run), **values})
        if cast("CursorResult[Any]", result).rowcount != 1:
            raise LostClaim(run.run_id)

    async def finish(self, session: AsyncSession, run: Claimed, status: str, error: str | None) -> bool:
        """Record the outcome; False when this executor no longer held the claim."""
        result = await session.execute(self._finish, {**_held(run), "status": status, "error": error})
        return cast("CursorResult[Any]", result).rowcount == 1

    async def get(self, session: AsyncSession, run_id: str) -> Mapping[str, Any] | None:
        """The run as stored; None when there is none."""
        rows = await fetch_all(session, self._get, {"id": run_id})
        return rows[0] if rows else None

    async def page(self, session: AsyncSession, filters: Mapping[str, str | None], *, limit: int,
                   before: tuple[datetime, str] | None) -> list[Mapping[str, Any]]:
        """Newest first, `limit + 1` runs before the cursor position, with each given column equal to its value
        (a filter whose value is None or empty is not applied)."""
        clauses: list[str] = []
        params: dict[str, Any] = {"lim": limit + 1}
        for column, value in filters.items():
            if value:
                clauses.append(f"{column} = :{column}")
                params[column] = value
        if before is not None:
            clauses.append("(requested_at, run_id) < (:at, :rid)")
            params |= {"at": before[0], "rid": before[1]}
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return list(await fetch_all(session, self._page.format(where=where), params))


def _held(run: Claimed) -> dict[str, Any]:
    return {"id": run.run_id, "me": run.claimed_by, "attempt": run.attempts}
