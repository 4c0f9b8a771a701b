"""Month-end close (close.md): what prior-period lines adjust and for which period, the periods accounting-svc
closed, and stored unbilled snapshots.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.add_column("invoice_lines", sa.Column("adjusts_kind", sa.String(20), nullable=True), schema=SCHEMA)
    op.add_column("invoice_lines", sa.Column("original_period", sa.String(7), nullable=True), schema=SCHEMA)
    # Prior-period lines written before: what they adjust follows from the total they count in.
    op.execute(f"UPDATE {SCHEMA}.invoice_lines l SET adjusts_kind = l.component, original_period = i.period "
               f"FROM {SCHEMA}.invoices i "
               f"WHERE l.kind = 'prior_period_adjustment' AND i.invoice_number = l.original_invoice_number")
    op.create_table(
        "period_locks",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("period", name="pk_period_locks"),
        schema=SCHEMA,
    )
    op.create_table(
        "unbilled_snapshots",
        sa.Column("snapshot_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("taken_by", sa.String(200), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", name="pk_unbilled_snapshots"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("unbilled_snapshots", schema=SCHEMA)
    op.drop_table("period_locks", schema=SCHEMA)
    op.drop_column("invoice_lines", "original_period", schema=SCHEMA)
    op.drop_column("invoice_lines", "adjusts_kind", schema=SCHEMA)
