"""Reporting views for BI tools (docs/reporting.md), granted to mediabill_reporting.

Revision ID: 0005
Revises: 0004
"""

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"

VIEWS = {
    "report_disputes_v1": f"""
        SELECT dispute_id, invoice_id, invoice_number, bill_to_account_id, currency, reason_code, amount, status,
               opened_by, opened_at, assignment_due_at, resolution_due_at, assignee, assigned_at, outcome,
               credit_amount, resolved_by, resolved_at, closed_at
          FROM {SCHEMA}.disputes""",
    "report_dispute_lines_v1": f"""
        SELECT dispute_id, position, invoice_line_id, kind, product_code, line_item_id, amount
          FROM {SCHEMA}.dispute_lines""",
}


def upgrade() -> None:
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS))
