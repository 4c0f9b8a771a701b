"""Inbox: a digest of each applied event's data, so that a reused event id with other data is caught.

Revision ID: 0004
Revises: 0003
"""

from mediabill_common.db.migrations import add_inbox_data_digest, drop_inbox_data_digest

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"


def upgrade() -> None:
    add_inbox_data_digest(SCHEMA)


def downgrade() -> None:
    drop_inbox_data_digest(SCHEMA)
