"""Alembic environment of product-config-svc: its own schema and its own version table."""

from mediabill_common.db.migrations import run_migrations
from product_config_svc.adapters.tables import SCHEMA, metadata
from product_config_svc.settings import Settings

run_migrations(SCHEMA, metadata, Settings().database_url)
