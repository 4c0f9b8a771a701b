"""Async engine and session factory."""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

# A pooled connection idle for longer than this is pinged before it is handed out. SQLAlchemy's pool_pre_ping
# pings on every checkout, and with asyncpg a ping is BEGIN, an empty statement and ROLLBACK: three round trips
# that cost more than most of our reads. A connection in steady use is not pinged; if the server went away while it
# was in use, the request on it fails once (a 503 from the APIs, a retry in consumers and relays), SQLAlchemy
# invalidates the pool, and the next checkout connects afresh.
PING_IF_IDLE_S = 5.0


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10, application_name: str = "mediabill",
                ping_if_idle_s: float = PING_IF_IDLE_S, read_only: bool = False) -> AsyncEngine:
    """An engine with its pool. `read_only`: every statement runs on its own (autocommit, so no BEGIN and ROLLBACK
    round trips around a read) and PostgreSQL refuses any write on these connections
    (default_transaction_read_only), so a read path that starts writing fails loudly instead of committing
    statement by statement."""
    server_settings = {"application_name": application_name}
    options = {}
    if read_only:
        server_settings["default_transaction_read_only"] = "on"
        options["isolation_level"] = "AUTOCOMMIT"
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # Last in, first out: a request gets the connection used last, so the few connections steady traffic needs
        # stay warm (asyncpg prepares each statement once per connection) and the rest sit idle, instead of every
        # request rotating through the whole pool.
        pool_use_lifo=True,
        connect_args={"server_settings": server_settings},
        **options,
    )
    _ping_idle_connections(engine, ping_if_idle_s)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_s: float) -> None:
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "connect")
    def _connected(_dbapi_connection: AsyncAdapt_asyncpg_connection, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection: AsyncAdapt_asyncpg_connection, record: ConnectionPoolEntry | None) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: AsyncAdapt_asyncpg_connection, record: ConnectionPoolEntry,
                     _proxy: PoolProxiedConnection) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) <= idle_s:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # the pool discards this connection and checks out another (up to three attempts)
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg accepts, from an SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)
