"""Shadow bill runs (oversight.md O1): a preview priced as if one delivery source billed names that source, and its
drafts live only under its run id, apart from invoices (never listed, issued or counted with them).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.add_column("bill_runs", sa.Column("source_system", sa.String(100), nullable=True), schema=SCHEMA)
    op.create_table(
        "shadow_drafts",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=False),
        sa.Column("contract_key", sa.String(200), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", sa.Numeric(20, 6), server_default=sa.text("0"), nullable=False),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "bill_to_account_id", "contract_key", name=op.f("pk_shadow_drafts")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("shadow_drafts", schema=SCHEMA)
    op.drop_column("bill_runs", "source_system", schema=SCHEMA)
