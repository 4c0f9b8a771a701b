"""Invoices and their lines: bulk writes for bill runs, gapless numbering, reads for the API, void."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import CursorResult, Table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.billing_tables import invoice_lines, invoices
from invoice_svc.adapters.copy import copy_connection
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import GroupInvoice, Invoice, InvoiceFilter, InvoiceHeader, StoredLine
from invoice_svc.domain.billing.balance import stored_balance
from invoice_svc.domain.billing.grouping import GroupKey
from invoice_svc.domain.billing.numbering import INVOICE_SERIES
from mediabill_common.db.reads import fetch_all

_HEADER_FIELDS = tuple(InvoiceHeader.__dataclass_fields__)
_HEADER_COLUMNS = ", ".join(_HEADER_FIELDS)
# Besides the header: what a full invoice carries as it is, and the receivable its balance is read from.
_DETAIL_FIELDS = ("document", "exceptions", "voided_at", "voided_by", "void_reason", "version")
_BALANCE_COLUMNS = ("credited", "debited", "paid", "overpaid", "disputed_amount")
_INVOICE_COLUMNS = ", ".join((*_HEADER_FIELDS, *_DETAIL_FIELDS, *_BALANCE_COLUMNS))
_LINE_COLUMNS = ", ".join(StoredLine.__dataclass_fields__)

_LOCK_PERIOD = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
_ADD_COUNTER = text(f"""
    INSERT INTO {SCHEMA}.invoice_counters (series, year, last_number) VALUES (:s, :y, 0) ON CONFLICT DO NOTHING""")
_LAST_NUMBER = text(f"""
    SELECT last_number FROM {SCHEMA}.invoice_counters WHERE series = :s AND year = :y FOR UPDATE""")
_TAKE_NUMBERS = text(f"""
    UPDATE {SCHEMA}.invoice_counters SET last_number = last_number + :n WHERE series = :s AND year = :y""")
# A superset of the groups' (bill-to, contract) pairs that the (contract_key, period) index answers; callers keep
# the exact pairs (a row-value IN over unnest() made the planner scan the period's invoices).
_CURRENT_OF_GROUPS = text(f"""
    SELECT invoice_id, status, bill_run_id, bill_to_account_id, contract_key FROM {SCHEMA}.invoices
     WHERE period = :period AND status IN ('issued', 'draft')
       AND contract_key = ANY(CAST(:contract_keys AS text[]))
       AND bill_to_account_id = ANY(CAST(:bill_tos AS text[]))""")
_DELETE_DRAFT_LINES = text(f"""
    DELETE FROM {SCHEMA}.invoice_lines l USING {SCHEMA}.invoices i
     WHERE l.invoice_id = i.invoice_id AND i.status = 'draft' AND i.invoice_id = ANY(:ids)""")
_DELETE_DRAFTS = text(f"DELETE FROM {SCHEMA}.invoices WHERE status = 'draft' AND invoice_id = ANY(:ids)")
_MARK_RECONCILED = text(f"""
    UPDATE {SCHEMA}.invoices SET reconciled_through = GREATEST(reconciled_through, :t) WHERE invoice_id = ANY(:ids)""")
_GET = f"SELECT {_INVOICE_COLUMNS} FROM {SCHEMA}.invoices WHERE invoice_id = :id"
_GET_FOR_UPDATE = text(f"{_GET} FOR UPDATE")
_LINES_OF = (f"SELECT {_LINE_COLUMNS} FROM {SCHEMA}.invoice_lines WHERE invoice_id = ANY(:ids) "
             "ORDER BY invoice_id, line_no")
# A summary has no use for the JSON document and pricing findings, whose decoding was a tenth of a list's cost.
_PAGE = f"SELECT {_HEADER_COLUMNS} FROM {SCHEMA}.invoices {{where}} ORDER BY created_at, invoice_id LIMIT :lim"
_MARK_VOID = text(f"""
    UPDATE {SCHEMA}.invoices SET status = 'void', balance_status = 'void', voided_at = clock_timestamp(),
           voided_by = :by, void_reason = :reason, version = version + 1
     WHERE invoice_id = :id RETURNING {_INVOICE_COLUMNS}""")
_REOPEN_ADJUSTED = text(f"""
    UPDATE {SCHEMA}.invoices SET reconciled_through = '-infinity'
     WHERE invoice_number IN (SELECT original_invoice_number FROM {SCHEMA}.invoice_lines
                               WHERE invoice_id = :id AND original_invoice_number IS NOT NULL)""")


def _invoice(row: Mapping[Any, Any]) -> Invoice:
    balance = None if row["status"] == "draft" else stored_balance(row)
    return Invoice(**{name: row[name] for name in (*_HEADER_FIELDS, *_DETAIL_FIELDS)}, balance=balance)


class InvoiceRepository:
    """Invoices and their lines over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_period(self, period: str) -> None:
        """Serialise the writes of bill runs of one period (a preview and an issue, or two issues, never interleave
        a chunk); held until the transaction ends."""
        await self._session.execute(_LOCK_PERIOD, {"k": f"{SCHEMA}:billing:{period}"})

    async def take_numbers(self, year: int, count: int) -> int:
        """Reserve `count` invoice numbers of `year`; returns the last number issued before them.

        The counter row is locked FOR UPDATE until the issuing transaction ends: concurrent issues queue on it and a
        rolled-back issue gives its block back, so numbers have no gaps (a sequence would leave gaps).
        """
        counter = {"s": INVOICE_SERIES, "y": year}
        await self._session.execute(_ADD_COUNTER, counter)
        last = (await self._session.execute(_LAST_NUMBER, counter)).scalar_one()
        if count:
            await self._session.execute(_TAKE_NUMBERS, counter | {"n": count})
        return int(last)

    async def current_of_groups(self, keys: Sequence[GroupKey]) -> dict[GroupKey, list[GroupInvoice]]:
        """The non-void invoices (issued and drafts) the groups already have in their period."""
        out: dict[GroupKey, list[GroupInvoice]] = {}
        if not keys:
            return out
        rows = await self._session.execute(_CURRENT_OF_GROUPS, {
            "period": keys[0].period, "bill_tos": [k.bill_to_account_id for k in keys],
            "contract_keys": [k.contract_key for k in keys]})
        # All keys share the period the query filters on: matched on (bill-to, contract) with plain tuples, twice
        # per bill-run chunk, instead of building and hashing a GroupKey per row.
        wanted = {(k.bill_to_account_id, k.contract_key): k for k in keys}
        for invoice_id, status, bill_run_id, bill_to, contract in rows.all():
            key = wanted.get((bill_to, contract))
            if key is not None:
                out.setdefault(key, []).append(GroupInvoice(invoice_id, status, bill_run_id))
        return out

    async def delete_drafts(self, invoice_ids: Sequence[str]) -> int:
        """A rerun replaces the drafts of its groups (lines first); only drafts are ever deleted."""
        if not invoice_ids:
            return 0
        await self._session.execute(_DELETE_DRAFT_LINES, {"ids": list(invoice_ids)})
        deleted = await self._session.execute(_DELETE_DRAFTS, {"ids": list(invoice_ids)})
        return cast("CursorResult[Any]", deleted).rowcount

    async def insert_invoices(self, rows: Sequence[dict[str, Any]], lines: Sequence[dict[str, Any]]) -> None:
        """Write invoices and their lines with COPY, in the session's transaction (a bill run writes ~10 lines per
        invoice and 100,000s of invoices)."""
        driver = await copy_connection(self._session)
        for table, items in ((invoices, rows), (invoice_lines, lines)):
            if not items:
                continue
            columns = [c.name for c in table.columns if c.name in items[0]]
            await driver.copy_records_to_table(table.name, schema_name=SCHEMA, columns=columns,
                                               records=_copy_records(table, columns, items))

    async def mark_reconciled(self, invoice_ids: Sequence[str], through: datetime) -> None:
        """Rule 13: the period's changes up to `through` are billed (by adjustment lines on a later invoice)."""
        if invoice_ids:
            await self._session.execute(_MARK_RECONCILED, {"ids": list(invoice_ids), "t": through})

    async def get(self, invoice_id: str, *, for_update: bool = False) -> Invoice | None:
        if for_update:
            row = (await self._session.execute(_GET_FOR_UPDATE, {"id": invoice_id})).mappings().first()
            return None if row is None else _invoice(row)
        rows = await fetch_all(self._session, _GET, {"id": invoice_id})
        return _invoice(rows[0]) if rows else None

    async def lines_of(self, invoice_ids: Sequence[str]) -> dict[str, list[StoredLine]]:
        out: dict[str, list[StoredLine]] = {i: [] for i in invoice_ids}
        if invoice_ids:
            for row in await fetch_all(self._session, _LINES_OF, {"ids": list(invoice_ids)}):
                out[row["invoice_id"]].append(StoredLine(**row))
        return out

    async def page(self, f: InvoiceFilter, *, limit: int, after: tuple[datetime, str] | None) \
            -> list[InvoiceHeader]:
        """Oldest first by (created_at, invoice_id), `limit + 1` headers after the cursor position."""
        clauses: list[str] = []
        params: dict[str, Any] = {"lim": limit + 1}
        for column in ("invoice_number", "bill_to_account_id", "account_id", "contract_id", "po_number", "period",
                       "status"):
            value = getattr(f, column)
            if value is not None:
                clauses.append(f"{column} = :{column}")
                params[column] = value
        if after is not None:
            clauses.append("(created_at, invoice_id) > (:at, :iid)")
            params |= {"at": after[0], "iid": after[1]}
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [InvoiceHeader(**row) for row in await fetch_all(self._session, _PAGE.format(where=where), params)]

    async def mark_void(self, invoice_id: str, *, by: str, reason: str) -> Invoice:
        result = await self._session.execute(_MARK_VOID, {"id": invoice_id, "by": by, "reason": reason})
        return _invoice(result.mappings().one())

    async def reopen_adjusted_periods(self, invoice_id: str) -> None:
        """A voided invoice's prior-period adjustments no longer count: their periods are re-checked next run."""
        await self._session.execute(_REOPEN_ADJUSTED, {"id": invoice_id})


def _copy_records(table: Table, columns: list[str], items: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
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
