"""Inbox: a digest of each applied event's data, so that a reused event id with other data is caught.

Revision ID: 0003
Revises: 0002
"""

from mediabill_common.db.migrations import add_inbox_data_digest, drop_inbox_data_digest

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    add_inbox_data_digest(SCHEMA)


def downgrade() -> None:
    drop_inbox_data_digest(SCHEMA)
