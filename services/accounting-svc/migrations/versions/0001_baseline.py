"""Baseline: the service's schema and the shared outbox, inbox (with its data digest), parked-events, audit and
idempotency tables.

Revision ID: 0001
Revises:
"""


from mediabill_common.db.migrations import (
    add_inbox_data_digest,
    create_common_tables,
    drop_common_tables,
    drop_inbox_data_digest,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "accounting_svc"


def upgrade() -> None:
    create_common_tables(SCHEMA)
    add_inbox_data_digest(SCHEMA)


def downgrade() -> None:
    drop_inbox_data_digest(SCHEMA)
    drop_common_tables(SCHEMA)
