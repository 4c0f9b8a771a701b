"""`state_version` is 64-bit on every aggregate, as every consumer stores it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "product_config_svc"
TABLES = ("products", "accounts", "contracts")


def upgrade() -> None:
    for table in TABLES:
        op.alter_column(table, "state_version", type_=sa.BigInteger, existing_nullable=False, schema=SCHEMA)


def downgrade() -> None:
    for table in TABLES:
        op.alter_column(table, "state_version", type_=sa.Integer, existing_nullable=False, schema=SCHEMA)
