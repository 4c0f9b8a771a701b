"""The usage ledger: set-based writes per batch (the batch staged with one binary COPY, then one statement
writes history and current figures; no per-row trips), the re-checks of held records, and the API's reads."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.copy import copy_connection
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.ledger.records import Billability, DeliveryKey, DeliveryRecord
from invoice_svc.domain.ledger.sources import SOURCE_CONFLICT, BillingSource, ServiceDay
from mediabill_common.db.reads import fetch_all

_TYPES = ["text", "int", "text", "text", "text", "text", "text", "text", "text", "date", "bigint", "bigint",
          "bigint", "bigint", "bigint", "numeric", "text", "text", "text"]
_NAMES = list(DeliveryRecord._fields)
_COLUMN_LIST = ", ".join(_NAMES)

# The batch is staged in a per-connection temporary table with binary COPY: one pass over the data, no per-element
# array encoding (asyncpg checks every array element's type, which cost more than the database's own work).
# Unconstrained types, so staging never rejects a row: the ledger tables' own constraints apply on the way in.
# Emptied at every commit (and discarded with a rollback), and emptied here first in case a transaction stages
# twice.
_STAGE = "invoice_delivery_batch"
_PREPARE_STAGE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (
        {", ".join(f"{n} {t}" for n, t in zip(_NAMES, _TYPES, strict=True))}, is_current bool, kinds text,
        shadow bool
    ) ON COMMIT DELETE ROWS;
    TRUNCATE pg_temp.{_STAGE}
"""
_STAGE_COLUMNS = [*_NAMES, "is_current", "kinds", "shadow"]

# One statement per batch, reading the stage (every data-modifying CTE runs to completion):
# - every revision is kept in delivery_revisions; one seen before is left as first received;
# - the current figures take the batch's highest revision of each delivery (`is_current`) unless a revision at
#   least as high is held: an equal or lower revision is a no-op whatever the arrival order.
# A delivery is (source_system, delivery_id): a delivery_id is unique within its source only.
_RECORD_BATCH = text(f"""
    WITH history AS (
        INSERT INTO {SCHEMA}.delivery_revisions ({_COLUMN_LIST})
        SELECT {_COLUMN_LIST} FROM pg_temp.{_STAGE}
        ON CONFLICT (source_system, delivery_id, revision) DO NOTHING
    ), applied AS (
        INSERT INTO {SCHEMA}.deliveries ({_COLUMN_LIST}, billable, exception_kinds, shadow)
        SELECT {_COLUMN_LIST}, kinds = '' AND NOT shadow, coalesce(string_to_array(NULLIF(kinds, ''), ','), '{{}}'),
               shadow
          FROM pg_temp.{_STAGE} WHERE is_current
        ON CONFLICT (source_system, delivery_id) DO UPDATE SET
          {", ".join(f"{n} = excluded.{n}" for n in _NAMES if n not in ("source_system", "delivery_id"))},
          billable = excluded.billable, exception_kinds = excluded.exception_kinds, shadow = excluded.shadow,
          updated_at = now()
        WHERE excluded.revision > deliveries.revision
        RETURNING source_system, delivery_id, (xmax = 0) AS inserted, billable OR shadow AS settled
    )
    SELECT source_system, delivery_id, inserted FROM applied WHERE NOT (inserted AND settled)
""")

# The records held back (not billable, not shadow) referencing a product, account or contract, locked for their
# re-check. Shadow records change only with their product's billing sources (`of_product_from`).
_HELD_BY = {
    reference: text(f"""
        SELECT {_COLUMN_LIST}, exception_kinds
          FROM {SCHEMA}.deliveries WHERE NOT billable AND NOT shadow AND {column} = :key
         ORDER BY source_system, delivery_id FOR UPDATE""")
    for reference, column in (("product", "product_code"), ("account", "account_id"), ("contract", "contract_id"))
}

_SET_BILLABILITY = text(f"""
    UPDATE {SCHEMA}.deliveries d
       SET billable = v.kinds = '' AND NOT v.shadow,
           exception_kinds = coalesce(string_to_array(NULLIF(v.kinds, ''), ','), '{{}}'), shadow = v.shadow,
           updated_at = now()
      FROM unnest(CAST(:systems AS text[]), CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:shadow AS bool[]))
           AS v(source_system, delivery_id, kinds, shadow)
     WHERE d.source_system = v.source_system AND d.delivery_id = v.delivery_id""")

# A product's records from a date, locked, for the re-check after its billing sources change: per service day,
# the record billing it under the first-seen rule first (neither shadow nor in conflict), then by arrival.
_OF_PRODUCT_FROM = text(f"""
    SELECT {_COLUMN_LIST}, exception_kinds, shadow
      FROM {SCHEMA}.deliveries WHERE product_code = :code AND delivery_date >= :from_day
     ORDER BY line_item_id, delivery_date, (shadow OR '{SOURCE_CONFLICT}' = ANY(exception_kinds)),
              first_received_at, delivery_id
       FOR UPDATE""")

# The source billing each service day: every record of a day not flagged `source_conflict` comes from it (the first
# source seen for the day; domain.ledger.sources). Ledgers from before the flag existed may hold two unflagged
# sources for a day: the earliest received is taken, as it was first seen. Deliveries are partitioned by line item,
# so one consumer at a time decides a line item's days.
_BILLING_SOURCES = text(f"""
    SELECT DISTINCT ON (d.line_item_id, d.delivery_date) d.line_item_id, d.delivery_date, d.source_system,
           d.delivery_id
      FROM unnest(CAST(:items AS text[]), CAST(:days AS date[])) AS k(line_item_id, delivery_date)
      JOIN {SCHEMA}.deliveries d ON d.line_item_id = k.line_item_id AND d.delivery_date = k.delivery_date
     WHERE NOT ('{SOURCE_CONFLICT}' = ANY(d.exception_kinds)) AND NOT d.shadow
     ORDER BY d.line_item_id, d.delivery_date, d.first_received_at, d.delivery_id""")

_ENTRY_COLUMNS = f"{_COLUMN_LIST}, billable, exception_kinds, shadow, first_received_at, updated_at"
_LIST = (f"SELECT {_ENTRY_COLUMNS} FROM {SCHEMA}.deliveries {{where}} "
         "ORDER BY delivery_date, delivery_id, source_system LIMIT :lim")
_GET = f"SELECT {_ENTRY_COLUMNS} FROM {SCHEMA}.deliveries WHERE delivery_id = :d ORDER BY source_system"
_REVISIONS = (f"SELECT r.{_COLUMN_LIST.replace(', ', ', r.')}, r.received_at "
              f"FROM unnest(CAST(:systems AS text[]), CAST(:ids AS text[])) AS k(source_system, delivery_id) "
              f"JOIN {SCHEMA}.delivery_revisions r USING (source_system, delivery_id) "
              "ORDER BY r.source_system, r.delivery_id, r.revision")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A delivery's current figures (its highest revision) and what the ledger knows of its billability."""

    record: DeliveryRecord
    billable: bool
    exception_kinds: tuple[str, ...]
    first_received_at: datetime
    updated_at: datetime
    shadow: bool = False


@dataclass(frozen=True, slots=True)
class ReceivedRevision:
    """One revision of a delivery as it was first received."""

    record: DeliveryRecord
    received_at: datetime


@dataclass(frozen=True)
class DeliveryFilter:
    account_id: str | None = None
    contract_id: str | None = None
    line_item_id: str | None = None
    product_code: str | None = None
    source_system: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    billable: bool | None = None
    exception_kind: str | None = None


def _record(row: Mapping[Any, Any]) -> DeliveryRecord:
    return DeliveryRecord._make(row[name] for name in _NAMES)


def _entry(row: Mapping[Any, Any]) -> LedgerEntry:
    return LedgerEntry(_record(row), row["billable"], tuple(row["exception_kinds"]), row["first_received_at"],
                       row["updated_at"], row["shadow"])


def _where(f: DeliveryFilter, after: tuple[date, str, str] | None) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for column in ("account_id", "contract_id", "line_item_id", "product_code", "source_system", "billable"):
        value = getattr(f, column)
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if f.date_from is not None:
        clauses.append("delivery_date >= :date_from")
        params["date_from"] = f.date_from
    if f.date_to is not None:
        clauses.append("delivery_date <= :date_to")
        params["date_to"] = f.date_to
    if f.exception_kind is not None:
        clauses.append("CAST(:exception_kind AS varchar) = ANY(exception_kinds)")
        params["exception_kind"] = f.exception_kind
    if after is not None:
        clauses.append("(delivery_date, delivery_id, source_system) > (:after_date, :after_id, :after_source)")
        params |= {"after_date": after[0], "after_id": after[1], "after_source": after[2]}
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


class LedgerRepository:
    """The usage ledger over one session: current figures per delivery and every revision received."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_batch(self, revisions: Sequence[DeliveryRecord],
                           current: Mapping[DeliveryKey, tuple[int, Billability]]) -> dict[DeliveryKey, bool]:
        """Write a batch to the ledger: staged with one COPY, then one statement.

        `revisions`: the batch's distinct (source_system, delivery_id, revision) records, first arrival of each.
        `current`: for each delivery (source_system, delivery_id), the index in `revisions` of its highest revision
        and that record's billability verdict. Every revision is kept in the history (one seen before is left as
        first received); each current record replaces the held figures unless a revision at least as high is held.
        Returns {(source_system, delivery_id): inserted?} for the deliveries whose current figures were written,
        leaving out the billable and shadow ones inserted (nothing follows from those: a row back for each cost
        more than the write).
        """
        if not revisions:
            return {}
        verdicts = {index: verdict for index, verdict in current.values()}
        staged = [(*record, True, ",".join(v.kinds), v.shadow) if (v := verdicts.get(i)) is not None
                  else (*record, False, None, None) for i, record in enumerate(revisions)]
        driver = await copy_connection(self._session)
        await driver.execute(_PREPARE_STAGE)
        await driver.copy_records_to_table(_STAGE, records=staged, columns=_STAGE_COLUMNS)
        result = await self._session.execute(_RECORD_BATCH)
        return {(source, delivery_id): inserted for source, delivery_id, inserted in result.all()}

    async def held_referencing(self, reference: str, key: str) -> list[tuple[DeliveryRecord, tuple[str, ...]]]:
        """The non-billable records that reference a product, account or contract, with their held kinds
        (locked until the transaction ends)."""
        rows = await self._session.execute(_HELD_BY[reference], {"key": key})
        return [(_record(row), tuple(row["exception_kinds"])) for row in rows.mappings()]

    async def set_billability(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                              shadow: Collection[DeliveryKey] = ()) -> None:
        """Record re-checked verdicts: (delivery, exception kinds; none = billable unless in `shadow`, the
        deliveries of shadow records)."""
        if verdicts:
            await self._session.execute(_SET_BILLABILITY, {"systems": [s for (s, _), _ in verdicts],
                                                            "ids": [d for (_, d), _ in verdicts],
                                                            "kinds": [",".join(k) for _, k in verdicts],
                                                            "shadow": [d in shadow for d, _ in verdicts]})

    async def of_product_from(self, code: str, from_day: date) \
            -> list[tuple[DeliveryRecord, tuple[str, ...], bool]]:
        """The product's records dated from `from_day` with their exception kinds and whether they are shadow,
        locked until the transaction ends; grouped by service day, the day's billing record under the first-seen
        rule first (neither shadow nor in conflict), then by arrival."""
        rows = await self._session.execute(_OF_PRODUCT_FROM, {"code": code, "from_day": from_day})
        return [(_record(row), tuple(row["exception_kinds"]), row["shadow"]) for row in rows.mappings()]

    async def billing_sources(self, days: Collection[ServiceDay]) -> dict[ServiceDay, BillingSource]:
        """The source billing each of `days` that the ledger holds a record of (a day without one is absent)."""
        if not days:
            return {}
        rows = await self._session.execute(_BILLING_SOURCES, {"items": [d.line_item_id for d in days],
                                                              "days": [d.delivery_date for d in days]})
        return {ServiceDay(item, day): BillingSource(source, delivery_id)
                for item, day, source, delivery_id in rows.all()}

    async def page(self, f: DeliveryFilter, *, limit: int, after: tuple[date, str, str] | None) \
            -> list[LedgerEntry]:
        """Current figures by (delivery_date, delivery_id, source_system), `limit + 1` entries from after the
        cursor position."""
        where, params = _where(f, after)
        rows = await fetch_all(self._session, _LIST.format(where=where), params | {"lim": limit + 1})
        return [_entry(row) for row in rows]

    async def with_id(self, delivery_id: str) -> list[LedgerEntry]:
        """The deliveries of that id, one per source that reported it (by source_system)."""
        return [_entry(row) for row in await fetch_all(self._session, _GET, {"d": delivery_id})]

    async def revisions_of(self, deliveries: Sequence[DeliveryKey]) -> dict[DeliveryKey, list[ReceivedRevision]]:
        """Every revision received for each delivery, lowest first."""
        out: dict[DeliveryKey, list[ReceivedRevision]] = {d: [] for d in deliveries}
        if deliveries:
            params = {"systems": [s for s, _ in deliveries], "ids": [d for _, d in deliveries]}
            for row in await fetch_all(self._session, _REVISIONS, params):
                out[(row["source_system"], row["delivery_id"])].append(
                    ReceivedRevision(_record(row), row["received_at"]))
        return out
