"""Telling a lost or refused database connection apart from every other database error."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# admin shutdown, crash shutdown, cannot connect now, too many connections, connection exceptions (class 08)
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006"}


def sqlstate_of(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return (getattr(exc, "sqlstate", None) or getattr(orig, "sqlstate", None)
            or getattr(getattr(orig, "__cause__", None), "sqlstate", None))


def is_database_unavailable(exc: BaseException) -> bool:
    """The server is down, restarting, refusing connections, or dropped the one in use: worth trying again later."""
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | OSError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.InterfaceError):
        return True
    return sqlstate_of(exc) in _UNAVAILABLE_SQLSTATES


def describe_database_error(exc: DBAPIError) -> str:
    """What went wrong, for a reason an operator reads (a dead letter's header): the driver's error class, its
    SQLSTATE and the first line of its message, never the statement or its parameters (they can carry internal
    table names and other events' data)."""
    orig = getattr(exc, "orig", None)
    cause = getattr(orig, "__cause__", None) or orig or exc
    message = str(cause).split("\n", 1)[0]
    if message.startswith("<class '") and "'>: " in message:  # the asyncpg adapter's "<class '...'>: message"
        message = message.split("'>: ", 1)[1]
    state = sqlstate_of(exc)
    return f"{type(cause).__name__}{f' (SQLSTATE {state})' if state else ''}: {message}"
