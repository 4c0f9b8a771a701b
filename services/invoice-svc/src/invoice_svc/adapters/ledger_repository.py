"""The usage ledger's SQL: set-based writes per batch (the batch staged with one binary COPY, then one statement
writes history and current figures; no per-row trips)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.ledger.records import DeliveryRecord
from mediabill_common.db.reads import fetch_all


class LedgerRow(NamedTuple):
    """A revision of a delivery as written to the ledger: the tables' figure columns, in column order.

    A plain tuple (not a dataclass) because ingestion builds one per event at tens of thousands a second.
    """

    delivery_id: str
    revision: int
    source_system: str
    account_id: str
    contract_id: str | None
    campaign_id: str
    line_item_id: str
    campaign_name: str | None
    product_code: str
    delivery_date: date
    impressions: int
    viewable_impressions: int
    clicks: int
    conversions: int
    third_party_impressions: int | None
    media_cost: Decimal | None
    currency: str | None
    event_source: str
    event_id: str


_TYPES = ["text", "int", "text", "text", "text", "text", "text", "text", "text", "date", "bigint", "bigint",
          "bigint", "bigint", "bigint", "numeric", "text", "text", "text"]
_NAMES = list(LedgerRow._fields)
_COLUMN_LIST = ", ".join(_NAMES)

# The batch is staged in a per-connection temporary table with binary COPY: one pass over the data, no per-element
# array encoding (asyncpg checks every array element's type, which cost more than the database's own work).
# Unconstrained types, so staging never rejects a row: the ledger tables' own constraints apply on the way in.
# Emptied at every commit (and discarded with a rollback), and emptied here first in case a transaction stages
# twice.
_STAGE = "invoice_delivery_batch"
_PREPARE_STAGE = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (
        {", ".join(f"{n} {t}" for n, t in zip(_NAMES, _TYPES, strict=True))}, is_current bool, kinds text
    ) ON COMMIT DELETE ROWS;
    TRUNCATE pg_temp.{_STAGE}
"""
_STAGE_COLUMNS = [*_NAMES, "is_current", "kinds"]

# One statement per batch, reading the stage (every data-modifying CTE runs to completion):
# - every revision is kept in delivery_revisions; one seen before is left as first received;
# - the current figures take the batch's highest revision of each delivery (`is_current`) unless a revision at
#   least as high is held: an equal or lower revision is a no-op whatever the arrival order.
_RECORD_BATCH = text(f"""
    WITH history AS (
        INSERT INTO {SCHEMA}.delivery_revisions ({_COLUMN_LIST})
        SELECT {_COLUMN_LIST} FROM pg_temp.{_STAGE}
        ON CONFLICT (delivery_id, revision) DO NOTHING
    ), applied AS (
        INSERT INTO {SCHEMA}.deliveries ({_COLUMN_LIST}, billable, exception_kinds)
        SELECT {_COLUMN_LIST}, kinds = '', coalesce(string_to_array(NULLIF(kinds, ''), ','), '{{}}')
          FROM pg_temp.{_STAGE} WHERE is_current
        ON CONFLICT (delivery_id) DO UPDATE SET
          {", ".join(f"{n} = excluded.{n}" for n in _NAMES if n != "delivery_id")},
          billable = excluded.billable, exception_kinds = excluded.exception_kinds, updated_at = now()
        WHERE excluded.revision > deliveries.revision
        RETURNING delivery_id, (xmax = 0) AS inserted, billable
    )
    SELECT delivery_id, inserted FROM applied WHERE NOT (inserted AND billable)
""")


async def _driver_connection(session: AsyncSession) -> Any:
    """The session's asyncpg connection, inside the session's transaction (COPY has no SQLAlchemy API)."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():  # SQLAlchemy begins lazily, at the first statement
        await session.execute(text("SELECT 1"))
    return driver


async def record_batch(session: AsyncSession, revisions: Sequence[LedgerRow],
                       current: Mapping[str, tuple[int, tuple[str, ...]]]) -> dict[str, bool]:
    """Write a batch to the ledger: staged with one COPY, then one statement.

    `revisions`: the batch's distinct (delivery_id, revision) rows, first arrival of each. `current`: for each
    delivery, the index in `revisions` of its highest revision and that row's billability verdict (exception
    kinds; none = billable). Every revision is kept in the history (one seen before is left as first received);
    each current row replaces the held figures unless a revision at least as high is held.
    Returns {delivery_id: inserted?} for the deliveries whose current figures were written, leaving out the
    billable ones inserted (nothing follows from those: a row back for each cost more than the write).
    """
    if not revisions:
        return {}
    verdicts = {index: ",".join(kinds) for index, kinds in current.values()}
    staged = [(*row, i in verdicts, verdicts.get(i)) for i, row in enumerate(revisions)]
    driver = await _driver_connection(session)
    await driver.execute(_PREPARE_STAGE)
    await driver.copy_records_to_table(_STAGE, records=staged, columns=_STAGE_COLUMNS)
    result = await session.execute(_RECORD_BATCH)
    return {delivery_id: inserted for delivery_id, inserted in result.all()}


_PARKED_BY = {
    "product": "product_code", "account": "account_id", "contract": "contract_id",
}


async def parked_referencing(session: AsyncSession, reference: str, key: str) -> list[tuple[DeliveryRecord,
                                                                                               tuple[str, ...]]]:
    """The non-billable records that reference a product, account or contract, with their held kinds."""
    column = _PARKED_BY[reference]
    rows = await session.execute(text(f"""
        SELECT delivery_id, revision, account_id, contract_id, line_item_id, product_code, delivery_date,
               impressions, viewable_impressions, clicks, conversions, third_party_impressions, media_cost,
               currency, exception_kinds
          FROM {SCHEMA}.deliveries WHERE NOT billable AND {column} = :key
         ORDER BY delivery_id FOR UPDATE"""), {"key": key})
    return [(_record(r), tuple(r.exception_kinds)) for r in rows]


def _record(r: Any) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id=r.delivery_id, revision=r.revision, account_id=r.account_id, contract_id=r.contract_id,
        line_item_id=r.line_item_id, product_code=r.product_code, delivery_date=r.delivery_date,
        impressions=r.impressions, viewable_impressions=r.viewable_impressions, clicks=r.clicks,
        conversions=r.conversions, third_party_impressions=r.third_party_impressions,
        media_cost=r.media_cost, currency=r.currency)


async def set_billability(session: AsyncSession, verdicts: Sequence[tuple[str, tuple[str, ...]]]) -> None:
    """Record re-checked verdicts: (delivery_id, exception kinds; none = billable)."""
    if not verdicts:
        return
    await session.execute(text(f"""
        UPDATE {SCHEMA}.deliveries d
           SET billable = v.kinds = '', exception_kinds = coalesce(string_to_array(NULLIF(v.kinds, ''), ','),
                                                                  '{{}}'), updated_at = now()
          FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[])) AS v(delivery_id, kinds)
         WHERE d.delivery_id = v.delivery_id"""),
        {"ids": [d for d, _ in verdicts], "kinds": [",".join(k) for _, k in verdicts]})


@dataclass(frozen=True)
class DeliveryFilter:
    account_id: str | None = None
    contract_id: str | None = None
    line_item_id: str | None = None
    product_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    billable: bool | None = None
    exception_kind: str | None = None


def _where(f: DeliveryFilter) -> tuple[list[str], dict[str, Any]]:
    clauses, params = [], {}
    for column in ("account_id", "contract_id", "line_item_id", "product_code", "billable"):
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
    return clauses, params


async def list_deliveries(session: AsyncSession, f: DeliveryFilter, *, limit: int,
                          after: tuple[date, str] | None) -> list[Any]:
    """Current figures by (delivery_date, delivery_id), `limit + 1` rows from after the cursor position."""
    clauses, params = _where(f)
    if after is not None:
        clauses.append("(delivery_date, delivery_id) > (:after_date, :after_id)")
        params |= {"after_date": after[0], "after_id": after[1]}
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(await fetch_all(
        session, f"SELECT * FROM {SCHEMA}.deliveries {where} ORDER BY delivery_date, delivery_id LIMIT :lim",
        params | {"lim": limit + 1}))


async def get_delivery(session: AsyncSession, delivery_id: str) -> Any | None:
    result = await session.execute(text(f"SELECT * FROM {SCHEMA}.deliveries WHERE delivery_id = :d"),
                                   {"d": delivery_id})
    return result.mappings().first()


async def revisions_of(session: AsyncSession, delivery_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Every revision received for each delivery, lowest first."""
    out: dict[str, list[Any]] = {d: [] for d in delivery_ids}
    if delivery_ids:
        for row in await fetch_all(session, f"SELECT * FROM {SCHEMA}.delivery_revisions WHERE delivery_id = ANY(:ids) "
                                            "ORDER BY delivery_id, revision", {"ids": list(delivery_ids)}):
            out[row["delivery_id"]].append(row)
    return out


async def count_deliveries(session: AsyncSession, delivery_ids: Sequence[str] | None = None) -> int:
    """How many deliveries the ledger holds (tools and the benchmark poll this)."""
    if delivery_ids is None:
        return (await session.execute(text(f"SELECT count(*) FROM {SCHEMA}.deliveries"))).scalar_one()
    return (await session.execute(text(
        f"SELECT count(*) FROM {SCHEMA}.deliveries WHERE delivery_id = ANY(:ids)"),
        {"ids": list(delivery_ids)})).scalar_one()

