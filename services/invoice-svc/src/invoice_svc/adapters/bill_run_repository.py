"""Bill runs: requested, claimed by an executor (FOR UPDATE SKIP LOCKED), progress, outcome."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA


class LostClaim(Exception):
    """Another executor took the run over (this one's heartbeat went stale): stop without writing."""


async def add_run(session: AsyncSession, run_id: str, period: str, mode: str,
                  bill_to_account_ids: Sequence[str] | None, requested_by: str) -> Any:
    result = await session.execute(text(f"""
        INSERT INTO {SCHEMA}.bill_runs (run_id, period, mode, bill_to_account_ids, status, requested_by)
        VALUES (:id, :period, :mode, :bill_tos, 'queued', :by) RETURNING *"""),
        {"id": run_id, "period": period, "mode": mode, "by": requested_by,
         "bill_tos": list(bill_to_account_ids) if bill_to_account_ids else None})
    return result.mappings().one()


async def claim_next(session: AsyncSession, executor_id: str, stale_after_s: float) -> Any | None:
    """Claim the oldest queued run, or a running one whose executor stopped beating; None when there is none."""
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.bill_runs r
           SET status = 'running', claimed_by = :me, attempts = r.attempts + 1, heartbeat_at = clock_timestamp(),
               started_at = COALESCE(r.started_at, clock_timestamp())
         WHERE r.run_id = (
               SELECT run_id FROM {SCHEMA}.bill_runs
                WHERE status = 'queued'
                   OR (status = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => :stale))
                ORDER BY requested_at, run_id
                LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING r.*"""), {"me": executor_id, "stale": stale_after_s})
    return result.mappings().first()


async def fix_snapshot(session: AsyncSession, run_id: str) -> datetime:
    """Rule 1: the run's snapshot is taken once, when it first starts; a restarted run keeps it."""
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.bill_runs SET snapshot_at = COALESCE(snapshot_at, clock_timestamp())
         WHERE run_id = :id RETURNING snapshot_at"""), {"id": run_id})
    return result.scalar_one()


async def record_progress(session: AsyncSession, run: Any, *, groups_total: int | None = None,
                          groups_done: int, counts: dict, totals: dict, exception_ids: list[str]) -> None:
    """Write progress (and beat the heart) only while this executor still holds the claim."""
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.bill_runs
           SET groups_total = COALESCE(:total, groups_total), groups_done = :done, counts = CAST(:counts AS jsonb),
               totals = CAST(:totals AS jsonb), exception_ids = CAST(:exceptions AS jsonb),
               heartbeat_at = clock_timestamp()
         WHERE run_id = :id AND claimed_by = :me AND attempts = :attempt AND status = 'running'"""),
        {"id": run["run_id"], "me": run["claimed_by"], "attempt": run["attempts"], "total": groups_total,
         "done": groups_done, "counts": json.dumps(counts), "totals": json.dumps(totals),
         "exceptions": json.dumps(exception_ids)})
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise LostClaim(run["run_id"])


async def finish(session: AsyncSession, run: Any, status: str, error: str | None = None) -> bool:
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.bill_runs SET status = :status, error = :error, finished_at = clock_timestamp(),
               heartbeat_at = clock_timestamp()
         WHERE run_id = :id AND claimed_by = :me AND attempts = :attempt AND status = 'running'"""),
        {"id": run["run_id"], "me": run["claimed_by"], "attempt": run["attempts"], "status": status,
         "error": error})
    return cast("CursorResult[Any]", result).rowcount == 1


async def get_run(session: AsyncSession, run_id: str) -> Any | None:
    result = await session.execute(text(f"SELECT * FROM {SCHEMA}.bill_runs WHERE run_id = :id"), {"id": run_id})
    return result.mappings().first()


async def list_runs(session: AsyncSession, *, period: str | None, status: str | None, limit: int,
                    before: tuple[datetime, str] | None) -> list[Any]:
    """Newest first, `limit + 1` rows before the cursor position."""
    clauses: list[str] = []
    params: dict[str, Any] = {"lim": limit + 1}
    if period:
        clauses.append("period = :period")
        params["period"] = period
    if status:
        clauses.append("status = :status")
        params["status"] = status
    if before is not None:
        clauses.append("(requested_at, run_id) < (:at, :rid)")
        params |= {"at": before[0], "rid": before[1]}
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    result = await session.execute(text(
        f"SELECT * FROM {SCHEMA}.bill_runs {where} ORDER BY requested_at DESC, run_id DESC LIMIT :lim"), params)
    return list(result.mappings())
