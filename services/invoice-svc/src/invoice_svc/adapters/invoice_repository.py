"""Invoices and their lines: bulk writes for bill runs, gapless numbering, reads for the API, void."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import CursorResult, Table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.billing_tables import invoice_lines, invoices
from invoice_svc.adapters.copy import copy_connection
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.billing.grouping import GroupKey
from invoice_svc.domain.billing.numbering import INVOICE_SERIES
from mediabill_common.db.reads import fetch_all, fetch_first


async def lock_period(session: AsyncSession, period: str) -> None:
    """Serialise the writes of bill runs of one period (a preview and an issue, or two issues, never interleave
    a chunk); held until the transaction ends."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                          {"k": f"{SCHEMA}:billing:{period}"})


async def take_numbers(session: AsyncSession, year: int, count: int) -> int:
    """Reserve `count` invoice numbers of `year`; returns the last number issued before them.

    The counter row is locked FOR UPDATE until the issuing transaction ends: concurrent issues queue on it and a
    rolled-back issue gives its block back, so numbers have no gaps (a sequence would leave gaps).
    """
    await session.execute(text(f"""
        INSERT INTO {SCHEMA}.invoice_counters (series, year, last_number) VALUES (:s, :y, 0)
        ON CONFLICT DO NOTHING"""), {"s": INVOICE_SERIES, "y": year})
    last = (await session.execute(text(f"""
        SELECT last_number FROM {SCHEMA}.invoice_counters WHERE series = :s AND year = :y FOR UPDATE"""),
        {"s": INVOICE_SERIES, "y": year})).scalar_one()
    if count:
        await session.execute(text(f"""
            UPDATE {SCHEMA}.invoice_counters SET last_number = last_number + :n WHERE series = :s AND year = :y"""),
            {"n": count, "s": INVOICE_SERIES, "y": year})
    return int(last)


def _keys(keys: Sequence[GroupKey]) -> dict[str, Any]:
    return {"period": keys[0].period if keys else "", "bill_tos": [k.bill_to_account_id for k in keys],
            "contract_keys": [k.contract_key for k in keys]}


# A superset of the groups' (bill-to, contract) pairs that the (contract_key, period) index answers; callers keep
# the exact pairs (a row-value IN over unnest() made the planner scan the period's invoices).
_IN_KEYS = ("contract_key = ANY(CAST(:contract_keys AS text[])) "
            "AND bill_to_account_id = ANY(CAST(:bill_tos AS text[]))")


async def current_of_groups(session: AsyncSession, keys: Sequence[GroupKey]) -> dict[GroupKey, list[Any]]:
    """The non-void invoices (issued and drafts) the groups already have in their period."""
    out: dict[GroupKey, list[Any]] = {}
    if not keys:
        return out
    rows = await session.execute(text(f"""
        SELECT invoice_id, status, bill_run_id, bill_to_account_id, contract_key FROM {SCHEMA}.invoices
         WHERE period = :period AND status IN ('issued', 'draft') AND {_IN_KEYS}"""), _keys(keys))
    # All keys share the period the query filters on: matched on (bill-to, contract) with plain tuples, twice
    # per bill-run chunk, instead of building and hashing a GroupKey per row.
    wanted = {(k.bill_to_account_id, k.contract_key): k for k in keys}
    for invoice_id, status, bill_run_id, bill_to, contract in rows.all():
        key = wanted.get((bill_to, contract))
        if key is not None:
            out.setdefault(key, []).append({"invoice_id": invoice_id, "status": status, "bill_run_id": bill_run_id})
    return out


async def delete_drafts(session: AsyncSession, invoice_ids: Sequence[str]) -> int:
    """A rerun replaces the drafts of its groups (lines first); only drafts are ever deleted."""
    if not invoice_ids:
        return 0
    await session.execute(text(f"""
        DELETE FROM {SCHEMA}.invoice_lines l USING {SCHEMA}.invoices i
         WHERE l.invoice_id = i.invoice_id AND i.status = 'draft' AND i.invoice_id = ANY(:ids)"""),
        {"ids": list(invoice_ids)})
    deleted = await session.execute(text(f"""
        DELETE FROM {SCHEMA}.invoices WHERE status = 'draft' AND invoice_id = ANY(:ids)"""),
        {"ids": list(invoice_ids)})
    return cast("CursorResult[Any]", deleted).rowcount


async def insert_invoices(session: AsyncSession, rows: Sequence[dict], lines: Sequence[dict]) -> None:
    """Write invoices and their lines with COPY, in the session's transaction (a bill run writes ~10 lines per
    invoice and 100,000s of invoices)."""
    driver = await copy_connection(session)
    for table, items in ((invoices, rows), (invoice_lines, lines)):
        if not items:
            continue
        columns = [c.name for c in table.columns if c.name in items[0]]
        await driver.copy_records_to_table(table.name, schema_name=SCHEMA, columns=columns,
                                           records=_copy_records(table, columns, items))


def _copy_records(table: Table, columns: list[str], items: Sequence[dict]) -> list[tuple]:
    """COPY records in `columns` order, JSONB columns as JSON text (one pass, no per-value type test)."""
    record = itemgetter(*columns) if len(columns) > 1 else (lambda item: (item[columns[0]],))
    json_at = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSONB)]
    if not json_at:
        return [record(item) for item in items]
    out = []
    for item in items:
        values = list(record(item))
        for i in json_at:
            values[i] = _copy_value(values[i])
        out.append(tuple(values))
    return out


def _copy_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


async def mark_reconciled(session: AsyncSession, invoice_ids: Sequence[str], through: datetime) -> None:
    """Rule 13: the period's changes up to `through` are billed (by adjustment lines on a later invoice)."""
    if invoice_ids:
        await session.execute(text(f"""
            UPDATE {SCHEMA}.invoices SET reconciled_through = GREATEST(reconciled_through, :t)
             WHERE invoice_id = ANY(:ids)"""), {"ids": list(invoice_ids), "t": through})


async def get_invoice(session: AsyncSession, invoice_id: str, *, for_update: bool = False) -> Any | None:
    lock = " FOR UPDATE" if for_update else ""
    return await fetch_first(session, f"SELECT * FROM {SCHEMA}.invoices WHERE invoice_id = :id{lock}",
                             {"id": invoice_id})


async def receivable_ids(session: AsyncSession, invoice_ids: Sequence[str]) -> set[str]:
    """Which of these ids are invoices that were issued (issued or void) -- what balance events may refer to."""
    if not invoice_ids:
        return set()
    result = await session.execute(text(f"""
        SELECT invoice_id FROM {SCHEMA}.invoices WHERE invoice_id = ANY(:ids) AND status IN ('issued', 'void')"""),
        {"ids": list(invoice_ids)})
    return set(result.scalars().all())


async def lines_of(session: AsyncSession, invoice_ids: Sequence[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {i: [] for i in invoice_ids}
    if invoice_ids:
        for r in await fetch_all(session, f"""
                SELECT * FROM {SCHEMA}.invoice_lines WHERE invoice_id = ANY(:ids) ORDER BY invoice_id, line_no""",
                {"ids": list(invoice_ids)}):
            out[r["invoice_id"]].append(r)
    return out


async def list_invoices(session: AsyncSession, filters: dict[str, str | None], *, limit: int,
                        after: tuple[datetime, str] | None, columns: Sequence[str] | None = None) -> list[Any]:
    """Oldest first by (created_at, invoice_id), `limit + 1` rows after the cursor position; `columns` limits
    what each row carries (default all: a summary has no use for the JSON document and exceptions, whose
    decoding was a tenth of a list's cost)."""
    clauses: list[str] = []
    params: dict[str, Any] = {"lim": limit + 1}
    for column, value in filters.items():
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if after is not None:
        clauses.append("(created_at, invoice_id) > (:at, :iid)")
        params |= {"at": after[0], "iid": after[1]}
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(await fetch_all(session, f"SELECT {', '.join(columns) if columns else '*'} FROM {SCHEMA}.invoices "
                                         f"{where} ORDER BY created_at, invoice_id LIMIT :lim", params))


async def mark_void(session: AsyncSession, invoice_id: str, *, by: str, reason: str) -> Any:
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.invoices SET status = 'void', balance_status = 'void', voided_at = clock_timestamp(),
               voided_by = :by, void_reason = :reason, version = version + 1
         WHERE invoice_id = :id RETURNING *"""), {"id": invoice_id, "by": by, "reason": reason})
    return result.mappings().one()


async def reopen_adjusted_periods(session: AsyncSession, invoice_id: str) -> None:
    """A voided invoice's prior-period adjustments no longer count: their periods are re-checked next run."""
    await session.execute(text(f"""
        UPDATE {SCHEMA}.invoices SET reconciled_through = '-infinity'
         WHERE invoice_number IN (SELECT original_invoice_number FROM {SCHEMA}.invoice_lines
                                   WHERE invoice_id = :id AND original_invoice_number IS NOT NULL)"""),
        {"id": invoice_id})
