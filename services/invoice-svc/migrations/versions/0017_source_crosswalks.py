"""Crosswalks (oversight.md O1): each delivery source's line item ids mapped to ours, applied at ingestion.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_table(
        "source_crosswalks",
        sa.Column("source_system", sa.String(200), nullable=False),
        sa.Column("source_line_item_id", sa.String(200), nullable=False),
        sa.Column("line_item_id", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source_system", "source_line_item_id", name=op.f("pk_source_crosswalks")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("source_crosswalks", schema=SCHEMA)
