"""Alembic environment of accounting-svc: its own schema and its own version table."""

from accounting_svc.adapters.tables import SCHEMA, metadata
from accounting_svc.settings import Settings
from mediabill_common.db.migrations import run_migrations

run_migrations(SCHEMA, metadata, Settings().database_url)
