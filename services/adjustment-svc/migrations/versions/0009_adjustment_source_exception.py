"""Adjustment requests: the billing exception whose correction a request turns into a memo (oversight.md O3: an
invoice_drift); earlier requests stay null.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    op.add_column("adjustments", sa.Column("source_exception_id", sa.String(100), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("adjustments", "source_exception_id", schema=SCHEMA)
