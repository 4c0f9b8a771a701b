"""The journal, the period calendar, the chart-of-accounts mapping and the read models the postings need.

Revision ID: 0002
Revises: 0001
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "accounting_svc"
MONEY = sa.Numeric(20, 6)
TS = sa.DateTime(timezone=True)

# close.md C8's defaults (domain.chart.ChartOfAccounts; documented in docs/operations.md).
DEFAULT_MAPPING = {"receivable": "1200", "unbilled_receivable": "1210", "cash_clearing": "1010",
                   "customer_credits": "2150", "unapplied_cash": "2160", "tax_payable": "2200",
                   "tax_payable_by_code": {}, "revenue": "4000", "discount": "4900", "agency_commission": "4910",
                   "commission_treatment": "contra_revenue"}


def _read_models() -> None:
    op.create_table(
        "products",
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("state_version", sa.BigInteger, nullable=False),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("gl_revenue_account", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_products"),
        schema=SCHEMA,
    )
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(200), nullable=False),
        sa.Column("invoice_number", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=False),
        sa.Column("contract_id", sa.String(200), nullable=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("lines", JSONB, nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("credited", MONEY, nullable=False, server_default="0"),
        sa.Column("debited", MONEY, nullable=False, server_default="0"),
        sa.Column("paid", MONEY, nullable=False, server_default="0"),
        sa.Column("voided", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("reported_balance_due", MONEY, nullable=True),
        sa.Column("reported_overpaid", MONEY, nullable=True),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoices"),
        schema=SCHEMA,
    )
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("invoice_id", sa.String(200), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("applied_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payments"),
        sa.UniqueConstraint("event_id", name="uq_payments_event_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "applied_payment_events",
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_applied_payment_events"),
        schema=SCHEMA,
    )
    op.create_index("ix_payments_pending", "payments", ["received_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status = 'pending'"))


def _journal() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("source_type", sa.String(30), nullable=False),
        sa.Column("source_id", sa.String(300), nullable=False),
        sa.Column("document_number", sa.String(200), nullable=True),
        sa.Column("posting_date", sa.Date, nullable=False),
        sa.Column("posting_period", sa.String(7), nullable=False),
        sa.Column("original_period", sa.String(7), nullable=True),
        sa.Column("reverses_entry_id", sa.String(36), nullable=True),
        sa.Column("posted_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("entry_id", name="pk_journal_entries"),
        sa.UniqueConstraint("seq", name="uq_journal_entries_seq"),
        sa.UniqueConstraint("source_type", "source_id", name="uq_journal_entries_source_type"),
        schema=SCHEMA,
    )
    op.create_index("ix_journal_entries_posting_period", "journal_entries", ["posting_period"], schema=SCHEMA)
    op.create_table(
        "journal_lines",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("debit", MONEY, nullable=False),
        sa.Column("credit", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=True),
        sa.Column("account_id", sa.String(200), nullable=True),
        sa.Column("contract_id", sa.String(200), nullable=True),
        sa.Column("product_code", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("service_period", sa.String(7), nullable=True),
        sa.Column("tax_code", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], [f"{SCHEMA}.journal_entries.entry_id"],
                                name="fk_journal_lines_entry_id_journal_entries"),
        sa.PrimaryKeyConstraint("entry_id", "line_no", name="pk_journal_lines"),
        schema=SCHEMA,
    )
    op.create_index("ix_journal_lines_account", "journal_lines", ["account"], schema=SCHEMA)
    op.create_index("ix_journal_lines_contract_id", "journal_lines", ["contract_id"], schema=SCHEMA)


def _calendar_and_chart() -> None:
    op.create_table(
        "periods",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("close_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("snapshot_id", sa.String(200), nullable=True),
        sa.Column("reopened_at", TS, nullable=True),
        sa.Column("reopened_by", sa.String(200), nullable=True),
        sa.Column("reopen_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("period", name="pk_periods"),
        schema=SCHEMA,
    )
    chart = op.create_table(
        "chart_of_accounts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("mapping", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_chart_of_accounts"),
        schema=SCHEMA,
    )
    op.bulk_insert(chart, [{"id": 1, "mapping": json.loads(json.dumps(DEFAULT_MAPPING)), "version": 1}])


def upgrade() -> None:
    _read_models()
    _journal()
    _calendar_and_chart()


def downgrade() -> None:
    for table in ("chart_of_accounts", "periods", "journal_lines", "journal_entries", "applied_payment_events",
                  "payments", "invoices",
                  "products"):
        op.drop_table(table, schema=SCHEMA)
