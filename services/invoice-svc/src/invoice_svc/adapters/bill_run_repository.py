"""Bill runs: requested, claimed by an executor (FOR UPDATE SKIP LOCKED), progress, outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.ports import LostClaim
from invoice_svc.app.stored import BillRun
from mediabill_common.db.reads import fetch_all

_COLUMNS = ", ".join(BillRun.__dataclass_fields__)

_ADD = text(f"""
    INSERT INTO {SCHEMA}.bill_runs (run_id, period, mode, bill_to_account_ids, status, requested_by, source_system)
    VALUES (:id, :period, :mode, :bill_tos, 'queued', :by, :source) RETURNING {_COLUMNS}""")
_CLAIM_NEXT = text(f"""
    UPDATE {SCHEMA}.bill_runs r
       SET status = 'running', claimed_by = :me, attempts = r.attempts + 1, heartbeat_at = clock_timestamp(),
           started_at = COALESCE(r.started_at, clock_timestamp())
     WHERE r.run_id = (
           SELECT run_id FROM {SCHEMA}.bill_runs
            WHERE status = 'queued'
               OR (status = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => :stale))
            ORDER BY requested_at, run_id
            LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING {", ".join(f"r.{c}" for c in BillRun.__dataclass_fields__)}""")
_FIX_SNAPSHOT = text(f"""
    UPDATE {SCHEMA}.bill_runs SET snapshot_at = COALESCE(snapshot_at, clock_timestamp())
     WHERE run_id = :id RETURNING snapshot_at""")
_RECORD_PROGRESS = text(f"""
    UPDATE {SCHEMA}.bill_runs
       SET groups_total = COALESCE(:total, groups_total), groups_done = :done, counts = CAST(:counts AS jsonb),
           totals = CAST(:totals AS jsonb), exception_ids = CAST(:exceptions AS jsonb),
           heartbeat_at = clock_timestamp()
     WHERE run_id = :id AND claimed_by = :me AND attempts = :attempt AND status = 'running'""")
_FINISH = text(f"""
    UPDATE {SCHEMA}.bill_runs SET status = :status, error = :error, finished_at = clock_timestamp(),
           heartbeat_at = clock_timestamp()
     WHERE run_id = :id AND claimed_by = :me AND attempts = :attempt AND status = 'running'""")
_GET = f"SELECT {_COLUMNS} FROM {SCHEMA}.bill_runs WHERE run_id = :id"
_SAVE_SHADOW = text(f"""
    INSERT INTO {SCHEMA}.shadow_drafts (run_id, bill_to_account_id, contract_key, period, currency, total, lines)
    SELECT :run_id, d ->> 'bill_to_account_id', d ->> 'contract_key', d ->> 'period', d ->> 'currency',
           CAST(d ->> 'total' AS numeric), d -> 'lines'
      FROM jsonb_array_elements(CAST(:drafts AS jsonb)) d
    ON CONFLICT (run_id, bill_to_account_id, contract_key) DO UPDATE
       SET currency = excluded.currency, total = excluded.total, lines = excluded.lines""")
_PAGE = f"SELECT {_COLUMNS} FROM {SCHEMA}.bill_runs {{where}} ORDER BY requested_at DESC, run_id DESC LIMIT :lim"


def _run(row: Mapping[Any, Any]) -> BillRun:
    return BillRun(**row)


class BillRunRepository:
    """The queue of bill runs over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, run_id: str, period: str, mode: str, bill_to_account_ids: Sequence[str] | None,
                  requested_by: str, source_system: str | None = None) -> BillRun:
        result = await self._session.execute(_ADD, {
            "id": run_id, "period": period, "mode": mode, "by": requested_by, "source": source_system,
            "bill_tos": list(bill_to_account_ids) if bill_to_account_ids else None})
        return _run(result.mappings().one())

    async def save_shadow_drafts(self, run_id: str, drafts: Sequence[dict[str, Any]]) -> None:
        if drafts:
            await self._session.execute(_SAVE_SHADOW, {"run_id": run_id, "drafts": json.dumps(list(drafts))})

    async def claim_next(self, executor_id: str, stale_after_s: float) -> BillRun | None:
        """Claim the oldest queued run, or a running one whose executor stopped beating; None when there is none."""
        result = await self._session.execute(_CLAIM_NEXT, {"me": executor_id, "stale": stale_after_s})
        row = result.mappings().first()
        return None if row is None else _run(row)

    async def fix_snapshot(self, run_id: str) -> datetime:
        """Rule 1: the run's snapshot is taken once, when it first starts; a restarted run keeps it."""
        return (await self._session.execute(_FIX_SNAPSHOT, {"id": run_id})).scalar_one()

    async def record_progress(self, run: BillRun, *, groups_total: int | None = None, groups_done: int,
                              counts: dict[str, int], totals: dict[str, str], exception_ids: list[str]) -> None:
        """Write progress (and beat the heart) only while this executor still holds the claim."""
        result = await self._session.execute(_RECORD_PROGRESS, {
            "id": run.run_id, "me": run.claimed_by, "attempt": run.attempts, "total": groups_total,
            "done": groups_done, "counts": json.dumps(counts), "totals": json.dumps(totals),
            "exceptions": json.dumps(exception_ids)})
        if cast("CursorResult[Any]", result).rowcount != 1:
            raise LostClaim(run.run_id)

    async def finish(self, run: BillRun, status: str, error: str | None = None) -> bool:
        result = await self._session.execute(_FINISH, {"id": run.run_id, "me": run.claimed_by,
                                                       "attempt": run.attempts, "status": status, "error": error})
        return cast("CursorResult[Any]", result).rowcount == 1

    async def get(self, run_id: str) -> BillRun | None:
        rows = await fetch_all(self._session, _GET, {"id": run_id})
        return _run(rows[0]) if rows else None

    async def page(self, *, period: str | None, status: str | None, limit: int,
                   before: tuple[datetime, str] | None) -> list[BillRun]:
        """Newest first, `limit + 1` runs before the cursor position."""
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
        return [_run(row) for row in await fetch_all(self._session, _PAGE.format(where=where), params)]
