"""Reporting views for BI tools (docs/reporting.md), granted to mediabill_reporting: journal lines, the trial
balance per period and the period calendar.

Revision ID: 0003
Revises: 0002
"""

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "accounting_svc"

VIEWS = {
    # One row per journal line with its entry's header: what the ERP export carries.
    "report_journal_lines_v1": f"""
        SELECT e.entry_id, e.seq AS entry_seq, e.source_type, e.source_id, e.document_number, e.posting_date,
               e.posting_period, e.original_period, e.reverses_entry_id, e.posted_at, l.line_no, l.account,
               l.debit, l.credit, l.currency, l.bill_to_account_id, l.account_id, l.contract_id, l.product_code,
               l.channel, l.service_period, l.tax_code
          FROM {SCHEMA}.journal_entries e JOIN {SCHEMA}.journal_lines l ON l.entry_id = e.entry_id""",
    # Per posting period, account and currency: the period's debits and credits and the closing balance (debit
    # positive) carried from every earlier period.
    "report_trial_balance_v1": f"""
        SELECT posting_period, account, currency, debits, credits,
               sum(debits - credits) OVER (PARTITION BY account, currency ORDER BY posting_period)
                 - (debits - credits) AS opening,
               sum(debits - credits) OVER (PARTITION BY account, currency ORDER BY posting_period) AS closing
          FROM (SELECT e.posting_period, l.account, l.currency, sum(l.debit) AS debits, sum(l.credit) AS credits
                  FROM {SCHEMA}.journal_entries e JOIN {SCHEMA}.journal_lines l ON l.entry_id = e.entry_id
                 GROUP BY e.posting_period, l.account, l.currency) activity""",
    "report_periods_v1": f"""
        SELECT period, status, close_count, closed_at, closed_by, snapshot_id, reopened_at, reopened_by,
               reopen_reason
          FROM {SCHEMA}.periods""",
}


def upgrade() -> None:
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS))
