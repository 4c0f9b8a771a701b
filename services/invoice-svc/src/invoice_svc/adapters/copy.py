"""COPY for the writes of whole batches (ledger revisions, invoices and their lines, outbox rows): one pass over
the data on the asyncpg connection under the session, in the session's transaction. SQLAlchemy has no API for it."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_BEGIN = text("SELECT 1")


async def copy_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction (begun first if need be: SQLAlchemy
    begins lazily, at the first statement)."""
    connection = await session.connection()
    driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        await session.execute(_BEGIN)
    return driver
