"""The billing exception queue's SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from mediabill_common.db.reads import fetch_all


@dataclass(frozen=True, slots=True)
class NewException:
    exception_id: str
    kind: str
    dedupe_key: str
    account_id: str | None
    delivery_id: str | None
    refs: dict[str, str | None]
    amount_at_risk: Decimal | None
    currency: str | None


_INSERT_OPEN = text(f"""
    INSERT INTO {SCHEMA}.billing_exceptions
           (exception_id, kind, status, dedupe_key, account_id, delivery_id, refs, amount_at_risk, currency)
    SELECT e.exception_id, e.kind, 'open', e.dedupe_key, e.account_id, e.delivery_id, CAST(e.refs AS jsonb),
           e.amount_at_risk, e.currency
      FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:keys AS text[]), CAST(:accounts AS text[]),
                  CAST(:deliveries AS text[]), CAST(:refs AS text[]), CAST(:amounts AS numeric[]),
                  CAST(:currencies AS text[]))
           AS e(exception_id, kind, dedupe_key, account_id, delivery_id, refs, amount_at_risk, currency)
    ON CONFLICT (dedupe_key) WHERE status <> 'resolved' DO UPDATE
       SET amount_at_risk = excluded.amount_at_risk, currency = excluded.currency, refs = excluded.refs,
           version = billing_exceptions.version + 1
     WHERE billing_exceptions.amount_at_risk IS DISTINCT FROM excluded.amount_at_risk
        OR billing_exceptions.refs IS DISTINCT FROM excluded.refs
    RETURNING exception_id, (xmax = 0) AS inserted, raised_at
""")


async def insert_open(session: AsyncSession, items: Sequence[NewException]) -> dict[str, datetime]:
    """Open the exceptions whose dedupe key has no unresolved exception yet; refresh the exposure of the rest.

    Returns {exception_id: raised_at} of the exceptions newly opened.
    """
    if not items:
        return {}
    params = {
        "ids": [i.exception_id for i in items], "kinds": [i.kind for i in items],
        "keys": [i.dedupe_key for i in items], "accounts": [i.account_id for i in items],
        "deliveries": [i.delivery_id for i in items], "refs": [json.dumps(i.refs, sort_keys=True) for i in items],
        "amounts": [i.amount_at_risk for i in items], "currencies": [i.currency for i in items],
    }
    rows = await session.execute(_INSERT_OPEN, params)
    return {r.exception_id: r.raised_at for r in rows if r.inserted}


async def resolve_open_for_deliveries(session: AsyncSession, verdicts: Sequence[tuple[str, tuple[str, ...]]],
                                      kinds_in_scope: Sequence[str], *, resolved_by: str, resolution: str) \
        -> list[Any]:
    """Resolve the open exceptions of these deliveries whose kind the record no longer raises."""
    if not verdicts:
        return []
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.billing_exceptions x
           SET status = 'resolved', resolved_at = now(), resolved_by = :by, resolution = :resolution,
               version = x.version + 1
          FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[])) AS v(delivery_id, kinds)
         WHERE x.delivery_id = v.delivery_id AND x.status <> 'resolved'
           AND x.kind = ANY(CAST(:scope AS text[]))
           AND NOT (x.kind = ANY(string_to_array(v.kinds, ',')))
        RETURNING x.exception_id, x.account_id, x.resolved_at"""),
        {"ids": [d for d, _ in verdicts], "kinds": [",".join(k) for _, k in verdicts], "scope": list(kinds_in_scope),
         "by": resolved_by, "resolution": resolution})
    return list(result.mappings())


async def get_exception(session: AsyncSession, exception_id: str, *, for_update: bool = False) -> Any | None:
    lock = " FOR UPDATE" if for_update else ""
    result = await session.execute(
        text(f"SELECT * FROM {SCHEMA}.billing_exceptions WHERE exception_id = :id{lock}"), {"id": exception_id})
    return result.mappings().first()


async def mark_assigned(session: AsyncSession, exception_id: str, assignee: str) -> Any:
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.billing_exceptions
           SET status = 'assigned', assignee = :assignee, assigned_at = now(), version = version + 1
         WHERE exception_id = :id RETURNING *"""), {"id": exception_id, "assignee": assignee})
    return result.mappings().one()


async def mark_resolved(session: AsyncSession, exception_id: str, resolved_by: str, resolution: str) -> Any:
    result = await session.execute(text(f"""
        UPDATE {SCHEMA}.billing_exceptions
           SET status = 'resolved', resolved_by = :by, resolution = :resolution, resolved_at = now(),
               version = version + 1
         WHERE exception_id = :id RETURNING *"""), {"id": exception_id, "by": resolved_by, "resolution": resolution})
    return result.mappings().one()


@dataclass(frozen=True)
class ExceptionFilter:
    status: str | None = None
    kind: str | None = None
    account_id: str | None = None
    delivery_id: str | None = None
    assignee: str | None = None
    older_than_hours: float | None = None


async def list_exceptions(session: AsyncSession, f: ExceptionFilter, *, limit: int,
                          after: tuple[datetime, str] | None) -> list[Any]:
    """Oldest first (the queue order), `limit + 1` rows after the cursor position."""
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
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(await fetch_all(
        session, f"SELECT * FROM {SCHEMA}.billing_exceptions {where} ORDER BY raised_at, exception_id LIMIT :lim",
        params | {"lim": limit + 1}))


async def exceptions_for_delivery(session: AsyncSession, delivery_id: str) -> list[Any]:
    result = await session.execute(text(
        f"SELECT * FROM {SCHEMA}.billing_exceptions WHERE delivery_id = :d ORDER BY raised_at, exception_id"),
        {"d": delivery_id})
    return list(result.mappings())


async def open_id_for_key(session: AsyncSession, dedupe_key: str) -> str | None:
    result = await session.execute(text(
        f"SELECT exception_id FROM {SCHEMA}.billing_exceptions WHERE dedupe_key = :k AND status <> 'resolved'"),
        {"k": dedupe_key})
    return result.scalar_one_or_none()
