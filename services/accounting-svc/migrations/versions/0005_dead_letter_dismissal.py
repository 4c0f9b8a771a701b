"""A dead letter a billing director dismissed (it posts nothing) no longer holds the close (close.md C10).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "accounting_svc"


def upgrade() -> None:
    op.add_column("dead_letters", sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("dead_letters", sa.Column("dismissed_by", sa.String(200), nullable=True), schema=SCHEMA)
    op.add_column("dead_letters", sa.Column("dismiss_reason", sa.Text, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for column in ("dismiss_reason", "dismissed_by", "dismissed_at"):
        op.drop_column("dead_letters", column, schema=SCHEMA)
