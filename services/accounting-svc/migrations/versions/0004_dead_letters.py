"""What accounting-svc's consumer dead-lettered, for the close checklist (close.md C10: nothing dead-lettered).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "accounting_svc"


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=True),
        sa.Column("event_type", sa.String(100), nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("dead_lettered_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
        sa.UniqueConstraint("consumer", "topic", "partition", "offset",
                            name="uq_dead_letters_consumer"),
        schema=SCHEMA,
    )
    op.create_index("ix_dead_letters_consumer_at", "dead_letters", ["consumer", "dead_lettered_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_dead_letters_consumer_at", table_name="dead_letters", schema=SCHEMA)
    op.drop_table("dead_letters", schema=SCHEMA)
