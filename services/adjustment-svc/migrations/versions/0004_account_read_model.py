"""Account read model from billing.config.v1: the bill-to account's name and contact for credit memos.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("state_version", sa.BigInteger, nullable=False),
        sa.Column("legal_name", sa.Text, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("accounts", schema=SCHEMA)
