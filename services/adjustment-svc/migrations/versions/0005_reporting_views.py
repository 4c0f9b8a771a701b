"""Reporting views for BI tools (docs/reporting.md), granted to mediabill_reporting.

Revision ID: 0005
Revises: 0004
"""

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"

VIEWS = {
    "report_adjustments_v1": f"""
        SELECT adjustment_id, invoice_id, kind, status, reason_code, dispute_id, currency, total, approval_level,
               requested_by, requested_at, decided_at, rejected_by, memo_id
          FROM {SCHEMA}.adjustments""",
    "report_memos_v1": f"""
        SELECT memo_id, memo_number, kind, adjustment_id, invoice_id, invoice_number, bill_to_account_id,
               dispute_id, currency, total, reason_code, requested_by, issued_at
          FROM {SCHEMA}.memos""",
    # The memo's lines as issued: the credited or debited lines and the derived discount, commission, tax ones.
    "report_memo_lines_v1": f"""
        SELECT m.memo_id, m.memo_number, m.kind AS memo_kind, m.invoice_id, m.currency, l.ordinality AS line_no,
               l.line ->> 'invoice_line_id' AS invoice_line_id, l.line ->> 'kind' AS kind,
               CAST(l.line ->> 'amount' AS numeric) AS amount, l.line ->> 'description' AS description
          FROM {SCHEMA}.memos m
         CROSS JOIN LATERAL jsonb_array_elements(m.lines) WITH ORDINALITY AS l(line, ordinality)""",
}


def upgrade() -> None:
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS))
