"""The registered delivery sources (oversight.md O1), carried from product-config-svc by DeliverySourceRegistered:
the CloudEvents sources allowed to publish each source_system's deliveries.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_table(
        "delivery_sources",
        sa.Column("source_system", sa.String(200), nullable=False),
        sa.Column("event_sources", postgresql.ARRAY(sa.String(200)), nullable=False),
        sa.Column("state", postgresql.JSONB(), nullable=False),
        sa.Column("state_version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source_system", name=op.f("pk_delivery_sources")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("delivery_sources", schema=SCHEMA)
