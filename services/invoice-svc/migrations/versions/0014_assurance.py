"""Continuous billing assurance (oversight.md O3): the assurance runs, the worker's daily schedule (one claim per job
and day, so only one worker replica runs a day's job), and what an invoice was priced with at issue (so a later
re-pricing can name the input that changed).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_table(
        "scheduled_job_runs",
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("job", "day", name=op.f("pk_scheduled_job_runs")),
        schema=SCHEMA,
    )
    op.create_table(
        "assurance_runs",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("periods", postgresql.ARRAY(sa.String(7)), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("invoices_total", sa.Integer(), nullable=True),
        sa.Column("after_invoice_id", sa.String(64), nullable=True),
        sa.Column("counts", postgresql.JSONB(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("totals", postgresql.JSONB(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("exception_ids", postgresql.JSONB(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_assurance_runs")),
        schema=SCHEMA,
    )
    op.create_index("ix_assurance_runs_claimable", "assurance_runs", ["requested_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.create_index("ix_assurance_runs_requested", "assurance_runs", ["requested_at"], schema=SCHEMA)
    op.add_column("invoices", sa.Column("pricing_inputs", postgresql.JSONB(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("invoices", "pricing_inputs", schema=SCHEMA)
    op.drop_index("ix_assurance_runs_requested", table_name="assurance_runs", schema=SCHEMA)
    op.drop_index("ix_assurance_runs_claimable", table_name="assurance_runs", schema=SCHEMA)
    op.drop_table("assurance_runs", schema=SCHEMA)
    op.drop_table("scheduled_job_runs", schema=SCHEMA)
