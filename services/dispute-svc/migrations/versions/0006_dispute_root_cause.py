"""Disputes: the root cause recorded on resolution (oversight.md O4); disputes resolved before stay null.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"


def upgrade() -> None:
    op.add_column("disputes", sa.Column("root_cause", sa.String(40), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("disputes", "root_cause", schema=SCHEMA)
