"""Bill runs: requested, claimed by an executor (FOR UPDATE SKIP LOCKED), progress, outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.run_queue import RunQueue
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import BillRun

_QUEUE = RunQueue("bill_runs", tuple(BillRun.__dataclass_fields__), progress=(
    "groups_total = COALESCE(:total, groups_total), groups_done = :done, counts = CAST(:counts AS jsonb), "
    "totals = CAST(:totals AS jsonb), exception_ids = CAST(:exceptions AS jsonb)"))
_ADD = text(f"""
    INSERT INTO {SCHEMA}.bill_runs (run_id, period, mode, bill_to_account_ids, status, requested_by, source_system)
    VALUES (:id, :period, :mode, :bill_tos, 'queued', :by, :source) RETURNING {_QUEUE.columns}""")
_FIX_SNAPSHOT = text(f"""
    UPDATE {SCHEMA}.bill_runs SET snapshot_at = COALESCE(snapshot_at, clock_timestamp())
     WHERE run_id = :id RETURNING snapshot_at""")
_SAVE_SHADOW = text(f"""
    INSERT INTO {SCHEMA}.shadow_drafts (run_id, bill_to_account_id, contract_key, period, currency, total, lines)
    SELECT :run_id, d ->> 'bill_to_account_id', d ->> 'contract_key', d ->> 'period', d ->> 'currency',
           CAST(d ->> 'total' AS numeric), d -> 'lines'
      FROM jsonb_array_elements(CAST(:drafts AS jsonb)) d
    ON CONFLICT (run_id, bill_to_account_id, contract_key) DO UPDATE
       SET currency = excluded.currency, total = excluded.total, lines = excluded.lines""")


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
        row = await _QUEUE.claim_next(self._session, executor_id, stale_after_s)
        return None if row is None else _run(row)

    async def fix_snapshot(self, run_id: str) -> datetime:
        """Rule 1: the run's snapshot is taken once, when it first starts; a restarted run keeps it."""
        return (await self._session.execute(_FIX_SNAPSHOT, {"id": run_id})).scalar_one()

    async def record_progress(self, run: BillRun, *, groups_total: int | None = None, groups_done: int,
                              counts: dict[str, int], totals: dict[str, str], exception_ids: list[str]) -> None:
        """Write progress (and beat the heart) only while this executor still holds the claim."""
        await _QUEUE.record_progress(self._session, run, {
            "total": groups_total, "done": groups_done, "counts": json.dumps(counts), "totals": json.dumps(totals),
            "exceptions": json.dumps(exception_ids)})

    async def finish(self, run: BillRun, status: str, error: str | None = None) -> bool:
        return await _QUEUE.finish(self._session, run, status, error)

    async def get(self, run_id: str) -> BillRun | None:
        row = await _QUEUE.get(self._session, run_id)
        return None if row is None else _run(row)

    async def page(self, *, period: str | None, status: str | None, limit: int,
                   before: tuple[datetime, str] | None) -> list[BillRun]:
        """Newest first, `limit + 1` runs before the cursor position."""
        rows = await _QUEUE.page(self._session, {"period": period, "status": status}, limit=limit, before=before)
        return [_run(row) for row in rows]
