"""Hand-written SQL run straight on the driver when the session or connection autocommits (GET requests read
through such a session; the Idempotency-Key middleware writes through such a connection).

SQLAlchemy's execution path (statement cache key, compiled-statement lookup, cursor adaptation, result metadata)
costs about 0.2 ms of CPU per statement here, more than asyncpg itself spends running a primary-key read. The hot
read paths that are written as SQL anyway (`text()` style, `:name` parameters) can skip it: on an autocommit
connection there is no transaction for the statement to join, so it runs on the asyncpg connection SQLAlchemy
checked out for the session, with the JSON codecs SQLAlchemy installed on it. Inside a transaction (any write,
and consumers) the statement goes through `session.execute(text(...))` as before, so it joins the transaction.

Rows come back as mappings either way: `row["column"]`, `row.get("column")`, `dict(row)`, `row.keys()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, cast

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# The rule `text()` itself uses for a bound parameter: `:name`, but not `::type` casts or an escaped `\:`.
_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")


@lru_cache(maxsize=1024)
def positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with `:name` parameters as asyncpg's `$n`, and the names in `$n` order (a name used twice is one
    parameter)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _BIND.sub(number, sql), tuple(names)


async def fetch_all(db: AsyncSession | AsyncConnection, sql: str, params: Mapping[str, Any] | None = None) \
        -> Sequence[Mapping[str, Any]]:
    """Every row of `sql` (any statement; a write with RETURNING too) as a mapping, on a session or a
    connection."""
    params = params or {}
    connection = await db.connection() if isinstance(db, AsyncSession) else db
    pooled = await connection.get_raw_connection()
    if not pooled.dbapi_connection or not pooled.dbapi_connection.autocommit:
        # A text() row is keyed by its column names (RowMapping's type allows Column keys too).
        return cast("Sequence[Mapping[str, Any]]", (await db.execute(text(sql), params)).mappings().all())
    statement, names = positional(sql)
    driver: asyncpg.Connection = pooled.driver_connection
    try:
        records: list[asyncpg.Record] = await driver.fetch(statement, *(params[name] for name in names))
        return records
    except Exception as exc:
        if not driver.is_closed():
            raise
        # As SQLAlchemy would: the pool must not hand this connection out again, and the caller learns that the
        # database went away (asyncpg may report a server's termination notice as an internal protocol error).
        await connection.invalidate()
        raise ConnectionError(f"the database connection was lost during a statement: {exc}") from exc


async def fetch_first(db: AsyncSession | AsyncConnection, sql: str, params: Mapping[str, Any] | None = None) \
        -> Mapping[str, Any] | None:
    """The first row of `sql` as a mapping, or None."""
    rows = await fetch_all(db, sql, params)
    return rows[0] if rows else None
