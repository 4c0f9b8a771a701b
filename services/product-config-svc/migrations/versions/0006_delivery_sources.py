"""Delivery sources (oversight.md O1): which CloudEvents sources may publish a source_system's deliveries.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "product_config_svc"


def upgrade() -> None:
    op.create_table(
        "delivery_sources",
        sa.Column("source_system", sa.String(200), nullable=False),
        sa.Column("name", sa.String(1000), nullable=False),
        sa.Column("state", postgresql.JSONB(), nullable=False),
        sa.Column("state_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source_system", name=op.f("pk_delivery_sources")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("delivery_sources", schema=SCHEMA)
