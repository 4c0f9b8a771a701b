"""Database plumbing: metadata per service schema, async engine and sessions, shared tables."""

from mediabill_common.db.engine import asyncpg_dsn, make_engine, make_session_factory
from mediabill_common.db.metadata import NAMING_CONVENTION, make_metadata
from mediabill_common.db.tables import CommonTables, define_common_tables

__all__ = [
    "NAMING_CONVENTION", "CommonTables", "asyncpg_dsn", "define_common_tables", "make_engine", "make_metadata",
    "make_session_factory",
]
