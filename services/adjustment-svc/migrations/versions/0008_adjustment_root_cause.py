"""Adjustment requests: the root cause of the adjustment (oversight.md O4); earlier requests stay null.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    op.add_column("adjustments", sa.Column("root_cause", sa.String(40), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("adjustments", "root_cause", schema=SCHEMA)
