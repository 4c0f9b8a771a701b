"""Configuration read model: `state_version` is 64-bit, as in invoice-svc and on the wire.

A version above 2**31 - 1 that invoice-svc stored was dead-lettered here (integer out of range).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"


def upgrade() -> None:
    op.alter_column("config_states", "state_version", type_=sa.BigInteger, existing_nullable=False, schema=SCHEMA)


def downgrade() -> None:
    op.alter_column("config_states", "state_version", type_=sa.Integer, existing_nullable=False, schema=SCHEMA)
