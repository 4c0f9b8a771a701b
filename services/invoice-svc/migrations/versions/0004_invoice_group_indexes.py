"""Invoices: look groups up by contract and bill-to, not by (period, status).

A bill run looks up the invoices of 1,000 groups at a time (`contract_key = ANY(...) AND bill_to_account_id =
ANY(...) AND period = ...`). With an index on (period, status) the planner -- whose statistics lag behind a run
inserting 100,000 drafts -- filtered every invoice of the period against both lists. Only probe-able indexes stay.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.drop_index("ix_invoices_period_status", table_name="invoices", schema=SCHEMA)
    op.create_index("ix_invoices_bill_to_period", "invoices", ["bill_to_account_id", "period"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_invoices_bill_to_period", table_name="invoices", schema=SCHEMA)
    op.create_index("ix_invoices_period_status", "invoices", ["period", "status"], schema=SCHEMA)
