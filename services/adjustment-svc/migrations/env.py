"""Alembic environment of adjustment-svc: its own schema and its own version table."""

from adjustment_svc.adapters.tables import SCHEMA, metadata
from adjustment_svc.settings import Settings
from mediabill_common.db.migrations import run_migrations

run_migrations(SCHEMA, metadata, Settings().database_url)
