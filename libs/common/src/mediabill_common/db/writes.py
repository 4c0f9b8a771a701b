"""Writes whose outcome is the number of rows they touched (an optimistic update, a mark-if-present)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


async def rows_affected(db: AsyncSession | AsyncConnection, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; the number of rows it matched."""
    result = await db.execute(statement)
    # Executing DML gives a CursorResult; execute() is typed as returning the Result it derives from.
    return cast("CursorResult[Any]", result).rowcount
