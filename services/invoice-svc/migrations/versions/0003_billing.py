"""Bill runs, invoices and lines, invoice number counters, receivable entries.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.Numeric(20, 6), nullable=False, server_default=sa.text("0"))


def _bill_runs() -> None:
    op.create_table(
        "bill_runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("bill_to_account_ids", ARRAY(sa.String(200)), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("snapshot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("groups_total", sa.Integer, nullable=True),
        sa.Column("groups_done", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("counts", JSONB, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("totals", JSONB, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("exception_ids", JSONB, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("error", sa.Text, nullable=True),
        schema=SCHEMA,
    )
    op.create_index("ix_bill_runs_claimable", "bill_runs", ["requested_at"], schema=SCHEMA,
                    postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.create_index("ix_bill_runs_period", "bill_runs", ["period", "requested_at"], schema=SCHEMA)


def _invoices() -> None:
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(64), primary_key=True),
        sa.Column("invoice_number", sa.String(20), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("contract_key", sa.String(200), nullable=False),
        sa.Column("contract_id", sa.String(200), nullable=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("po_number", sa.String(200), nullable=True),
        sa.Column("issue_date", sa.Date, nullable=True),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("payment_terms_days", sa.Integer, nullable=True),
        _money("subtotal"), _money("discount_total"), _money("commission_total"), _money("tax_total"),
        _money("total"),
        sa.Column("adjustment_only", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("bill_run_id", sa.String(64), nullable=False),
        sa.Column("snapshot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reconciled_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", JSONB, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("exceptions", JSONB, nullable=False, server_default=sa.text("'[]'")),
        _money("credited"), _money("debited"), _money("paid"), _money("balance_due"), _money("overpaid"),
        _money("disputed_amount"),
        sa.Column("balance_status", sa.String(16), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(200), nullable=True),
        sa.Column("void_reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.UniqueConstraint("invoice_number", name="uq_invoices_invoice_number"),
        schema=SCHEMA,
    )
    group = ["bill_to_account_id", "contract_key", "period"]
    op.create_index("uq_invoices_issued_group", "invoices", group, unique=True, schema=SCHEMA,
                    postgresql_where=sa.text("status = 'issued'"))
    op.create_index("uq_invoices_draft_group", "invoices", group, unique=True, schema=SCHEMA,
                    postgresql_where=sa.text("status = 'draft'"))
    op.create_index("ix_invoices_contract_period", "invoices", ["contract_key", "period"], schema=SCHEMA)
    op.create_index("ix_invoices_period_status", "invoices", ["period", "status"], schema=SCHEMA)


def _lines_counters_entries() -> None:
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("invoice_line_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("component", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("product_code", sa.String(64), nullable=True),
        sa.Column("gl_revenue_account", sa.String(100), nullable=True),
        sa.Column("campaign_id", sa.String(200), nullable=True),
        sa.Column("campaign_name", sa.Text, nullable=True),
        sa.Column("line_item_id", sa.String(200), nullable=True),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("unit", sa.String(30), nullable=True),
        sa.Column("unit_price", sa.Numeric(20, 6), nullable=False),
        sa.Column("price_base_quantity", sa.Integer, nullable=False),
        sa.Column("amount", sa.Numeric(20, 6), nullable=False),
        sa.Column("value", sa.Numeric(20, 6), nullable=True),
        sa.Column("original_invoice_number", sa.String(20), nullable=True),
        sa.Column("tax_code", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("invoice_id", "line_no", name="pk_invoice_lines"),
        schema=SCHEMA,
    )
    op.create_index("uq_invoice_lines_line_id", "invoice_lines", ["invoice_line_id"], unique=True, schema=SCHEMA)
    op.create_table(
        "invoice_counters",
        sa.Column("series", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_number", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name="pk_invoice_counters"),
        schema=SCHEMA,
    )
    op.create_table(
        "balance_entries",
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("dispute_id", sa.String(200), nullable=True),
        sa.Column("amount", sa.Numeric(20, 6), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied", sa.Boolean, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("kind", "entry_id", name="pk_balance_entries"),
        schema=SCHEMA,
    )
    op.create_index("ix_balance_entries_invoice", "balance_entries", ["invoice_id"], schema=SCHEMA)


def upgrade() -> None:
    _bill_runs()
    _invoices()
    _lines_counters_entries()


def downgrade() -> None:
    for table in ("balance_entries", "invoice_counters", "invoice_lines", "invoices", "bill_runs"):
        op.drop_table(table, schema=SCHEMA)
