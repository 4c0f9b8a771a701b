"""Receivable entries keep who caused them (the actor the event named, or for a payment the system that sent it)
and what their event said, for the invoice's history.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.add_column("balance_entries", sa.Column("actor", sa.String(200), nullable=True), schema=SCHEMA)
    op.add_column("balance_entries", sa.Column("details", JSONB, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("balance_entries", "details", schema=SCHEMA)
    op.drop_column("balance_entries", "actor", schema=SCHEMA)
