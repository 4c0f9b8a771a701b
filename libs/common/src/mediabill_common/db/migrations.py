"""Helpers for each service's Alembic environment and baseline revision."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from mediabill_common.db.metadata import make_metadata
from mediabill_common.db.tables import define_common_tables

VERSION_TABLE = "alembic_version"


def _do_run(connection: Connection, schema: str, target_metadata: MetaData) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        version_table_schema=schema,
        include_schemas=False,
    )
    with context.begin_transaction():
        # Serialise concurrent `upgrade` runs of the same service (several processes starting at once).
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"migrate:{schema}"})
        context.run_migrations()


def run_migrations(schema: str, target_metadata: MetaData, database_url: str) -> None:
    """Run the service's migrations online against `database_url`, versioned in `<schema>.alembic_version`."""
    config = context.config
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = database_url

    async def _run() -> None:
        engine = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(_do_run, schema, target_metadata)
            await connection.commit()
        await engine.dispose()

    asyncio.run(_run())


def create_common_tables(schema: str) -> None:
    """Create the shared tables (outbox, inbox, parked events, audit, idempotency) in a baseline revision.

    The definitions are the version-1 shapes from `define_common_tables`; a later change to those shapes
    must come with its own revision in every service rather than editing this one.
    """
    metadata = make_metadata(schema)
    define_common_tables(metadata, shape=1)
    metadata.create_all(bind=op.get_bind())


def drop_common_tables(schema: str) -> None:
    metadata = make_metadata(schema)
    define_common_tables(metadata, shape=1)
    metadata.drop_all(bind=op.get_bind())


def add_inbox_data_digest(schema: str) -> None:
    """Shared tables, shape 1 -> 2: the inbox remembers a digest of each event's data (one revision per service)."""
    op.add_column("inbox", sa.Column("data_sha256", sa.LargeBinary, nullable=True), schema=schema)


def drop_inbox_data_digest(schema: str) -> None:
    op.drop_column("inbox", "data_sha256", schema=schema)
