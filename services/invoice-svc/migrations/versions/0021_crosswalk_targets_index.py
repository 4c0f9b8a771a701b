"""Crosswalks found by our line item id: each delivery batch looks up which of its line items another source's
crosswalk maps to (those are locked for the first-seen rule while several consumers read the delivery topic;
adapters/crosswalk_repository.py), one probe per line item rather than a scan of every crosswalk.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_index("ix_source_crosswalks_line_item", "source_crosswalks", ["line_item_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_source_crosswalks_line_item", table_name="source_crosswalks", schema=SCHEMA)
