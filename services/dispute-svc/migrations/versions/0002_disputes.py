"""Disputes, their lines and history, the SLA policy, and the invoice / credit / config read models.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "dispute_svc"
MONEY = sa.Numeric(18, 4)


def _ts(name: str, nullable: bool = False, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)


def _read_models() -> None:
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(100), primary_key=True),
        sa.Column("invoice_number", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("bill_to_account_id", sa.String(100), nullable=False),
        sa.Column("contract_id", sa.String(100), nullable=True),
        sa.Column("po_number", sa.String(100), nullable=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("credited", MONEY, nullable=False, server_default="0"),
        sa.Column("paid", MONEY, nullable=False, server_default="0"),
        sa.Column("balance_due", MONEY, nullable=False),
        sa.Column("disputed_amount", MONEY, nullable=False, server_default="0"),
        sa.Column("issued", JSONB, nullable=False),
        _ts("updated_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoices"),
        schema=SCHEMA,
    )
    op.create_index("ix_invoices_issue_date", "invoices", ["issue_date"], schema=SCHEMA)
    op.create_index("ix_invoices_contract", "invoices", ["contract_id", "period"], schema=SCHEMA)
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("invoice_line_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("product_code", sa.String(64), nullable=True),
        sa.Column("line_item_id", sa.String(100), nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("credited", MONEY, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("invoice_id", "invoice_line_id", name="pk_invoice_lines"),
        schema=SCHEMA,
    )
    op.create_table(
        "credit_memos",
        sa.Column("memo_id", sa.String(100), nullable=False),
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("dispute_id", sa.String(100), nullable=True),
        sa.Column("total", MONEY, nullable=False),
        _ts("issued_at"),
        sa.PrimaryKeyConstraint("memo_id", name="pk_credit_memos"),
        schema=SCHEMA,
    )
    op.create_table(
        "config_states",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("state_version", sa.Integer, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        _ts("updated_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_config_states"),
        schema=SCHEMA,
    )


def _disputes() -> None:
    op.create_table(
        "disputes",
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(40), nullable=False),
        sa.Column("bill_to_account_id", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        _ts("opened_at"), _ts("assignment_due_at"), _ts("resolution_due_at"),
        sa.Column("assignee", sa.String(200), nullable=True),
        _ts("assigned_at", True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("credit_amount", MONEY, nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        _ts("resolved_at", True), _ts("closed_at", True),
        sa.Column("credit_settled", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("attachments", JSONB, nullable=False, server_default="[]"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("dispute_id", name="pk_disputes"),
        schema=SCHEMA,
    )
    op.create_index("ix_disputes_invoice", "disputes", ["invoice_id"], schema=SCHEMA)
    op.create_index("ix_disputes_opened", "disputes", ["opened_at", "dispute_id"], schema=SCHEMA)
    op.create_index("ix_disputes_status", "disputes", ["status"], schema=SCHEMA)
    op.create_table(
        "dispute_lines",
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("invoice_line_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("product_code", sa.String(64), nullable=True),
        sa.Column("line_item_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("dispute_id", "invoice_line_id", name="pk_dispute_lines"),
        schema=SCHEMA,
    )
    op.create_table(
        "dispute_history",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("dispute_id", sa.String(100), nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("id", name="pk_dispute_history"),
        schema=SCHEMA,
    )
    op.create_index("ix_dispute_history_dispute", "dispute_history", ["dispute_id", "id"], schema=SCHEMA)
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("policy", JSONB, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        _ts("updated_at", server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_sla_policy"),
        schema=SCHEMA,
    )


def upgrade() -> None:
    _read_models()
    _disputes()


def downgrade() -> None:
    for table in ("sla_policy", "dispute_history", "dispute_lines", "disputes", "config_states", "credit_memos",
                  "invoice_lines", "invoices"):
        op.drop_table(table, schema=SCHEMA)
