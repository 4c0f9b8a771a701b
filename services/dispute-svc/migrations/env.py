"""Alembic environment of dispute-svc: its own schema and its own version table."""

from dispute_svc.adapters.tables import SCHEMA, metadata
from dispute_svc.settings import Settings
from mediabill_common.db.migrations import run_migrations

run_migrations(SCHEMA, metadata, Settings().database_url)
