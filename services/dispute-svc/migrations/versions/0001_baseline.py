"""Baseline: the service's schema and the shared outbox, inbox, parked-events, audit and idempotency tables.

Revision ID: 0001
Revises:
"""


from mediabill_common.db.migrations import create_common_tables, drop_common_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"


def upgrade() -> None:
    create_common_tables(SCHEMA)


def downgrade() -> None:
    drop_common_tables(SCHEMA)
