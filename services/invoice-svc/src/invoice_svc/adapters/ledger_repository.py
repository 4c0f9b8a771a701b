"""The usage ledger's SQL: set-based writes per batch (one statement per table, arrays in, no per-row trips)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.ledger.records import DeliveryRecord


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A revision of a delivery as written to the ledger, with its billability verdict."""

    record: DeliveryRecord
    source_system: str
    campaign_id: str
    campaign_name: str | None
    event_source: str
    event_id: str
    kinds: tuple[str, ...]


# (column, postgres array type, how to read it off an entry)
_COLUMNS: list[tuple[str, str, Any]] = [
    ("delivery_id", "text", lambda e: e.record.delivery_id),
    ("revision", "int", lambda e: e.record.revision),
    ("source_system", "text", lambda e: e.source_system),
    ("account_id", "text", lambda e: e.record.account_id),
    ("contract_id", "text", lambda e: e.record.contract_id),
    ("campaign_id", "text", lambda e: e.campaign_id),
    ("line_item_id", "text", lambda e: e.record.line_item_id),
    ("campaign_name", "text", lambda e: e.campaign_name),
    ("product_code", "text", lambda e: e.record.product_code),
    ("delivery_date", "date", lambda e: e.record.delivery_date),
    ("impressions", "bigint", lambda e: e.record.impressions),
    ("viewable_impressions", "bigint", lambda e: e.record.viewable_impressions),
    ("clicks", "bigint", lambda e: e.record.clicks),
    ("conversions", "bigint", lambda e: e.record.conversions),
    ("third_party_impressions", "bigint", lambda e: e.record.third_party_impressions),
    ("media_cost", "numeric", lambda e: e.record.media_cost),
    ("currency", "text", lambda e: e.record.currency),
    ("event_source", "text", lambda e: e.event_source),
    ("event_id", "text", lambda e: e.event_id),
]
_NAMES = [c for c, _, _ in _COLUMNS]
_UNNEST = ", ".join(f"CAST(:{c} AS {t}[])" for c, t, _ in _COLUMNS)

_INSERT_REVISIONS = text(f"""
    INSERT INTO {SCHEMA}.delivery_revisions ({", ".join(_NAMES)})
    SELECT * FROM unnest({_UNNEST})
    ON CONFLICT (delivery_id, revision) DO NOTHING
""")
# A higher revision replaces the current figures; an equal or lower one leaves them as they are.
_UPSERT_CURRENT = text(f"""
    INSERT INTO {SCHEMA}.deliveries ({", ".join(_NAMES)}, billable, exception_kinds)
    SELECT {", ".join("u." + n for n in _NAMES)}, u.kinds = '',
           coalesce(string_to_array(NULLIF(u.kinds, ''), ','), '{{}}')
      FROM unnest({_UNNEST}, CAST(:kinds AS text[])) AS u({", ".join(_NAMES)}, kinds)
    ON CONFLICT (delivery_id) DO UPDATE SET
      {", ".join(f"{n} = excluded.{n}" for n in _NAMES if n != "delivery_id")},
      billable = excluded.billable, exception_kinds = excluded.exception_kinds, updated_at = now()
    WHERE excluded.revision > deliveries.revision
    RETURNING delivery_id, (xmax = 0) AS inserted
""")


def _columns(entries: Sequence[LedgerEntry]) -> dict[str, list[Any]]:
    return {name: [get(e) for e in entries] for name, _, get in _COLUMNS}


async def record_revisions(session: AsyncSession, entries: Sequence[LedgerEntry]) -> None:
    """Keep every revision received (the history); a revision seen before is left as first received."""
    if entries:
        await session.execute(_INSERT_REVISIONS, _columns(entries))


async def apply_current(session: AsyncSession, entries: Sequence[LedgerEntry]) -> dict[str, bool]:
    """Make each entry the current figures unless a revision at least as high is held.

    `entries` has one entry per delivery id. Returns {delivery_id: inserted?} for the entries applied.
    """
    if not entries:
        return {}
    params = _columns(entries) | {"kinds": [",".join(e.kinds) for e in entries]}
    return {row.delivery_id: row.inserted for row in await session.execute(_UPSERT_CURRENT, params)}


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
    result = await session.execute(text(
        f"SELECT * FROM {SCHEMA}.deliveries {where} ORDER BY delivery_date, delivery_id LIMIT :lim"),
        params | {"lim": limit + 1})
    return list(result.mappings())


async def get_delivery(session: AsyncSession, delivery_id: str) -> Any | None:
    result = await session.execute(text(f"SELECT * FROM {SCHEMA}.deliveries WHERE delivery_id = :d"),
                                   {"d": delivery_id})
    return result.mappings().first()


async def revisions_of(session: AsyncSession, delivery_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Every revision received for each delivery, lowest first."""
    out: dict[str, list[Any]] = {d: [] for d in delivery_ids}
    if delivery_ids:
        result = await session.execute(text(
            f"SELECT * FROM {SCHEMA}.delivery_revisions WHERE delivery_id = ANY(:ids) ORDER BY delivery_id, revision")
            .bindparams(bindparam("ids", list(delivery_ids))))
        for row in result.mappings():
            out[row["delivery_id"]].append(row)
    return out


async def count_deliveries(session: AsyncSession, delivery_ids: Sequence[str] | None = None) -> int:
    """How many deliveries the ledger holds (tools and the benchmark poll this)."""
    if delivery_ids is None:
        return (await session.execute(text(f"SELECT count(*) FROM {SCHEMA}.deliveries"))).scalar_one()
    return (await session.execute(text(
        f"SELECT count(*) FROM {SCHEMA}.deliveries WHERE delivery_id = ANY(:ids)"),
        {"ids": list(delivery_ids)})).scalar_one()

