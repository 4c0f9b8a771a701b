"""The billing exception queue: raised set-based (one statement per batch), worked by analysts, listed oldest first."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import NewException, QueuedException, ResolvedException
from invoice_svc.domain.billing.exposure import HELD_BACK_KINDS
from invoice_svc.domain.ledger.records import DeliveryKey
from mediabill_common.db.reads import fetch_all

_COLUMNS = ", ".join(QueuedException.__dataclass_fields__)

_INSERT_OPEN = text(f"""
    INSERT INTO {SCHEMA}.billing_exceptions
           (exception_id, kind, status, dedupe_key, account_id, delivery_id, source_system, refs, amount_at_risk,
            currency, over_delivery_value, quantity, unit)
    SELECT e.exception_id, e.kind, 'open', e.dedupe_key, e.account_id, e.delivery_id, e.source_system,
           CAST(e.refs AS jsonb), e.amount_at_risk, e.currency, e.over_delivery_value, e.quantity, e.unit
      FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:keys AS text[]), CAST(:accounts AS text[]),
                  CAST(:deliveries AS text[]), CAST(:sources AS text[]), CAST(:refs AS text[]),
                  CAST(:amounts AS numeric[]), CAST(:currencies AS text[]), CAST(:over AS numeric[]),
                  CAST(:quantities AS bigint[]), CAST(:units AS text[]))
           AS e(exception_id, kind, dedupe_key, account_id, delivery_id, source_system, refs, amount_at_risk,
                currency, over_delivery_value, quantity, unit)
    ON CONFLICT (dedupe_key) WHERE status <> 'resolved' DO UPDATE
       SET amount_at_risk = excluded.amount_at_risk, currency = excluded.currency, refs = excluded.refs,
           over_delivery_value = excluded.over_delivery_value, quantity = excluded.quantity, unit = excluded.unit,
           version = billing_exceptions.version + 1
     WHERE billing_exceptions.amount_at_risk IS DISTINCT FROM excluded.amount_at_risk
        OR billing_exceptions.over_delivery_value IS DISTINCT FROM excluded.over_delivery_value
        OR billing_exceptions.quantity IS DISTINCT FROM excluded.quantity
        OR billing_exceptions.refs IS DISTINCT FROM excluded.refs
    RETURNING exception_id, (xmax = 0) AS inserted, raised_at
""")
_RESOLVE_FOR_DELIVERIES = text(f"""
    UPDATE {SCHEMA}.billing_exceptions x
       SET status = 'resolved', resolved_at = now(), resolved_by = :by, resolution = :resolution,
           root_cause = 'system_resolved',
           version = x.version + 1
      FROM unnest(CAST(:systems AS text[]), CAST(:ids AS text[]), CAST(:kinds AS text[]))
           AS v(source_system, delivery_id, kinds)
     WHERE x.source_system = v.source_system AND x.delivery_id = v.delivery_id AND x.status <> 'resolved'
       AND x.kind = ANY(CAST(:scope AS text[]))
       AND NOT (x.kind = ANY(string_to_array(v.kinds, ',')))
    RETURNING x.exception_id, x.account_id, x.resolved_at""")
_GET = f"SELECT {_COLUMNS} FROM {SCHEMA}.billing_exceptions WHERE exception_id = :id"
_GET_FOR_UPDATE = text(f"{_GET} FOR UPDATE")
_MARK_ASSIGNED = text(f"""
    UPDATE {SCHEMA}.billing_exceptions
       SET status = 'assigned', assignee = :assignee, assigned_at = now(), version = version + 1
     WHERE exception_id = :id RETURNING {_COLUMNS}""")
_MARK_RESOLVED = text(f"""
    UPDATE {SCHEMA}.billing_exceptions
       SET status = 'resolved', resolved_by = :by, resolution = :resolution, resolved_at = now(),
           root_cause = :root_cause,
           version = version + 1
     WHERE exception_id = :id RETURNING {_COLUMNS}""")
_LIST = f"SELECT {_COLUMNS} FROM {SCHEMA}.billing_exceptions {{where}} ORDER BY raised_at, exception_id LIMIT :lim"
# Revenue at risk of a row (domain.billing.exposure): its amount when its kind holds revenue back; -1 sorts the
# rest (informational, over-delivery, unpriced) below every priced value.
_VALUE_AT_RISK = ("COALESCE(CASE WHEN kind = ANY(CAST(:held AS text[])) THEN amount_at_risk END, -1)")
_LIST_BY_VALUE = (f"SELECT {_COLUMNS}, {_VALUE_AT_RISK} AS sort_value FROM {SCHEMA}.billing_exceptions "
                  f"{{where}} ORDER BY sort_value {{direction}}, exception_id {{direction}} LIMIT :lim")
_OF_DELIVERY = (f"SELECT {_COLUMNS} FROM {SCHEMA}.billing_exceptions WHERE source_system = :s AND delivery_id = :d "
                "ORDER BY raised_at, exception_id")
_OPEN_IDS_FOR_KEYS = text(f"SELECT dedupe_key, exception_id FROM {SCHEMA}.billing_exceptions "
                          "WHERE dedupe_key = ANY(CAST(:keys AS text[])) AND status <> 'resolved'")
# Whether an exception of this key was resolved while one of its refs had this value (e.g. the same drift).
_RESOLVED_WITH_REF = text(f"""
    SELECT EXISTS (SELECT 1 FROM {SCHEMA}.billing_exceptions
                    WHERE dedupe_key = :k AND status = 'resolved' AND refs ->> :name = :value)""")
_OPEN_ID_FOR_KEY = text(f"SELECT exception_id FROM {SCHEMA}.billing_exceptions "
                        "WHERE dedupe_key = :k AND status <> 'resolved'")


@dataclass(frozen=True)
class ExceptionFilter:
    status: str | None = None
    kind: str | None = None
    account_id: str | None = None
    delivery_id: str | None = None
    assignee: str | None = None
    older_than_hours: float | None = None


def _queued(row: Mapping[Any, Any]) -> QueuedException:
    return QueuedException(**row)


def _where(f: ExceptionFilter, after: tuple[datetime, str] | None) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for column in ("kind", "account_id", "delivery_id", "assignee"):
        value = getattr(f, column)
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if f.status == "unresolved":
        clauses.append("status <> 'resolved'")
    elif f.status is not None:
        clauses.append("status = :status")
        params["status"] = f.status
    if f.older_than_hours is not None:
        clauses.append("raised_at < now() - make_interval(secs => :age_s)")
        params["age_s"] = f.older_than_hours * 3600
    if after is not None:
        clauses.append("(raised_at, exception_id) > (:after_at, :after_id)")
        params |= {"after_at": after[0], "after_id": after[1]}
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


class ExceptionRepository:
    """The billing exception queue over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def insert_open(self, items: Sequence[NewException]) -> dict[str, datetime]:
        """Open the exceptions whose dedupe key has no unresolved exception yet; refresh the exposure of the rest.

        Returns {exception_id: raised_at} of the exceptions newly opened.
        """
        if not items:
            return {}
        params = {
            "ids": [i.exception_id for i in items], "kinds": [i.kind for i in items],
            "keys": [i.dedupe_key for i in items], "accounts": [i.account_id for i in items],
            "deliveries": [i.delivery_id for i in items], "sources": [i.source_system for i in items],
            "refs": [json.dumps(i.refs, sort_keys=True) for i in items],
            "amounts": [i.amount_at_risk for i in items], "currencies": [i.currency for i in items],
            "over": [i.over_delivery_value for i in items], "quantities": [i.quantity for i in items],
            "units": [i.unit for i in items],
        }
        rows = await self._session.execute(_INSERT_OPEN, params)
        return {r.exception_id: r.raised_at for r in rows if r.inserted}

    async def open_ids_for_keys(self, dedupe_keys: Sequence[str]) -> dict[str, str]:
        """The unresolved exception of each of these dedupe keys that has one: key -> exception id."""
        if not dedupe_keys:
            return {}
        rows = await self._session.execute(_OPEN_IDS_FOR_KEYS, {"keys": list(dedupe_keys)})
        return {key: exception_id for key, exception_id in rows}

    async def resolved_with_ref(self, dedupe_key: str, name: str, value: str) -> bool:
        return bool((await self._session.execute(_RESOLVED_WITH_REF, {"k": dedupe_key, "name": name,
                                                                      "value": value})).scalar_one())

    async def open_id_for_key(self, dedupe_key: str) -> str | None:
        return (await self._session.execute(_OPEN_ID_FOR_KEY, {"k": dedupe_key})).scalar_one_or_none()

    async def resolve_open_for_deliveries(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                                          kinds_in_scope: Sequence[str], *, resolved_by: str,
                                          resolution: str) -> list[ResolvedException]:
        """Resolve the open exceptions of these deliveries whose kind the record no longer raises."""
        if not verdicts:
            return []
        rows = await self._session.execute(_RESOLVE_FOR_DELIVERIES, {
            "systems": [s for (s, _), _ in verdicts], "ids": [d for (_, d), _ in verdicts],
            "kinds": [",".join(k) for _, k in verdicts],
            "scope": list(kinds_in_scope), "by": resolved_by, "resolution": resolution})
        return [ResolvedException(*row) for row in rows]

    async def get(self, exception_id: str, *, for_update: bool = False) -> QueuedException | None:
        if for_update:
            row = (await self._session.execute(_GET_FOR_UPDATE, {"id": exception_id})).mappings().first()
            return None if row is None else _queued(row)
        rows = await fetch_all(self._session, _GET, {"id": exception_id})
        return _queued(rows[0]) if rows else None

    async def mark_assigned(self, exception_id: str, assignee: str) -> QueuedException:
        result = await self._session.execute(_MARK_ASSIGNED, {"id": exception_id, "assignee": assignee})
        return _queued(result.mappings().one())

    async def mark_resolved(self, exception_id: str, resolved_by: str, resolution: str,
                            root_cause: str | None) -> QueuedException:
        result = await self._session.execute(_MARK_RESOLVED, {"id": exception_id, "by": resolved_by,
                                                              "resolution": resolution, "root_cause": root_cause})
        return _queued(result.mappings().one())

    async def page(self, f: ExceptionFilter, *, limit: int, after: tuple[datetime, str] | None) \
            -> list[QueuedException]:
        """Oldest first (the queue order), `limit + 1` exceptions after the cursor position."""
        where, params = _where(f, after)
        return [_queued(row) for row in await fetch_all(self._session, _LIST.format(where=where),
                                                         params | {"lim": limit + 1})]

    async def page_by_value(self, f: ExceptionFilter, *, descending: bool, limit: int,
                            after: tuple[Decimal, str] | None) -> list[tuple[QueuedException, Decimal]]:
        """By revenue at risk (highest first when `descending`), `limit + 1` exceptions after the cursor
        position, each with its sort value (for the next cursor)."""
        where, params = _where(f, None)
        if after is not None:
            keyset = f"({_VALUE_AT_RISK}, exception_id) {'<' if descending else '>'} (:after_v, :after_id)"
            where = f"{where} AND {keyset}" if where else f"WHERE {keyset}"
            params |= {"after_v": after[0], "after_id": after[1]}
        sql = _LIST_BY_VALUE.format(where=where, direction="DESC" if descending else "ASC")
        rows = await fetch_all(self._session, sql, params | {"lim": limit + 1, "held": sorted(HELD_BACK_KINDS)})
        out = []
        for row in rows:
            fields = dict(row)
            value = fields.pop("sort_value")
            out.append((_queued(fields), value))
        return out

    async def of_delivery(self, delivery: DeliveryKey) -> list[QueuedException]:
        rows = await fetch_all(self._session, _OF_DELIVERY, {"s": delivery[0], "d": delivery[1]})
        return [_queued(row) for row in rows]
