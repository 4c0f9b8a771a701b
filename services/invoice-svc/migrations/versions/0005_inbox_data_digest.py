"""Inbox: a digest of each applied event's data, so that a reused event id with other data is caught.

Revision ID: 0005
Revises: 0004
"""

from mediabill_common.db.migrations import add_inbox_data_digest, drop_inbox_data_digest

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    add_inbox_data_digest(SCHEMA)


def downgrade() -> None:
    drop_inbox_data_digest(SCHEMA)
