"""Invoice and dispute read models, adjustment requests, approvals, memos, memo counters, approval policy.

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

SCHEMA = "adjustment_svc"
MONEY = sa.Numeric(18, 4)
TS = sa.DateTime(timezone=True)


def _invoices() -> None:
    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("bill_to_account_id", sa.String(100), nullable=False),
        sa.Column("contract_id", sa.String(100), nullable=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("discount_total", MONEY, nullable=False),
        sa.Column("commission_total", MONEY, nullable=False),
        sa.Column("tax_total", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("voided_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoices"),
        schema=SCHEMA,
    )
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("invoice_line_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("tax_code", sa.String(40), nullable=True),
        sa.Column("product_code", sa.String(100), nullable=True),
        sa.Column("credited", MONEY, nullable=False, server_default="0"),
        sa.Column("debited", MONEY, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("invoice_id", "invoice_line_id", name="pk_invoice_lines"),
        sa.ForeignKeyConstraint(["invoice_id"], [f"{SCHEMA}.invoices.invoice_id"],
                                name="fk_invoice_lines_invoice_id_invoices"),
        schema=SCHEMA,
    )


def _disputes() -> None:
    op.create_table(
        "disputes",
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("dispute_id", name="pk_disputes"),
        schema=SCHEMA,
    )
    op.create_index("ix_disputes_invoice_id", "disputes", ["invoice_id"], schema=SCHEMA)
    op.create_table(
        "dispute_lines",
        sa.Column("dispute_id", sa.String(100), nullable=False),
        sa.Column("invoice_line_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("dispute_id", "invoice_line_id", name="pk_dispute_lines"),
        sa.ForeignKeyConstraint(["dispute_id"], [f"{SCHEMA}.disputes.dispute_id"],
                                name="fk_dispute_lines_dispute_id_disputes"),
        schema=SCHEMA,
    )


def _adjustments() -> None:
    op.create_table(
        "adjustments",
        sa.Column("adjustment_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("dispute_id", sa.String(100), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("attachments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("approval_level", sa.String(30), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("rejected_by", sa.String(200), nullable=True),
        sa.Column("rejection_reason", sa.Text, nullable=True),
        sa.Column("memo_id", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("adjustment_id", name="pk_adjustments"),
        sa.ForeignKeyConstraint(["invoice_id"], [f"{SCHEMA}.invoices.invoice_id"],
                                name="fk_adjustments_invoice_id_invoices"),
        schema=SCHEMA,
    )
    op.create_index("ix_adjustments_invoice_id", "adjustments", ["invoice_id"], schema=SCHEMA)
    op.create_index("ix_adjustments_status_requested", "adjustments", ["status", "requested_at"], schema=SCHEMA)
    op.create_index("uq_adjustments_live_dispute", "adjustments", ["dispute_id"], unique=True, schema=SCHEMA,
                    postgresql_where=sa.text("dispute_id IS NOT NULL AND status <> 'rejected'"))
    op.create_table(
        "adjustment_lines",
        sa.Column("adjustment_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("invoice_line_id", sa.String(100), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("derived", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("adjustment_id", "position", name="pk_adjustment_lines"),
        sa.ForeignKeyConstraint(["adjustment_id"], [f"{SCHEMA}.adjustments.adjustment_id"],
                                name="fk_adjustment_lines_adjustment_id_adjustments"),
        schema=SCHEMA,
    )
    op.create_table(
        "approvals",
        sa.Column("adjustment_id", sa.String(64), nullable=False),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("roles", JSONB, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("approved_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("adjustment_id", "approver", name="pk_approvals"),
        sa.ForeignKeyConstraint(["adjustment_id"], [f"{SCHEMA}.adjustments.adjustment_id"],
                                name="fk_approvals_adjustment_id_adjustments"),
        schema=SCHEMA,
    )


def _memos() -> None:
    op.create_table(
        "memos",
        sa.Column("memo_id", sa.String(64), nullable=False),
        sa.Column("memo_number", sa.String(20), nullable=False),
        sa.Column("adjustment_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("invoice_id", sa.String(100), nullable=False),
        sa.Column("invoice_number", sa.String(40), nullable=False),
        sa.Column("bill_to_account_id", sa.String(100), nullable=False),
        sa.Column("dispute_id", sa.String(100), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("approved_by", JSONB, nullable=False),
        sa.Column("lines", JSONB, nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("memo_id", name="pk_memos"),
        sa.UniqueConstraint("memo_number", name="uq_memos_memo_number"),
        sa.UniqueConstraint("adjustment_id", name="uq_memos_adjustment_id"),
        sa.ForeignKeyConstraint(["adjustment_id"], [f"{SCHEMA}.adjustments.adjustment_id"],
                                name="fk_memos_adjustment_id_adjustments"),
        schema=SCHEMA,
    )
    op.create_index("ix_memos_invoice_id", "memos", ["invoice_id"], schema=SCHEMA)
    op.create_index("ix_memos_issued_at", "memos", ["issued_at"], schema=SCHEMA)
    op.create_table(
        "memo_counters",
        sa.Column("series", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name="pk_memo_counters"),
        schema=SCHEMA,
    )


def _policy() -> None:
    policy = op.create_table(
        "approval_policy",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("auto_approve_max", MONEY, nullable=False),
        sa.Column("single_approval_max", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("currency", name="pk_approval_policy"),
        schema=SCHEMA,
    )
    version = op.create_table(
        "approval_policy_version",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_approval_policy_version"),
        schema=SCHEMA,
    )
    # Rule 22's defaults.
    op.bulk_insert(policy, [{"currency": c, "auto_approve_max": "250.00", "single_approval_max": "25000.00"}
                            for c in ("USD", "EUR", "GBP")])
    op.bulk_insert(version, [{"id": 1, "version": 1, "updated_by": "migration"}])


def upgrade() -> None:
    _invoices()
    _disputes()
    _adjustments()
    _memos()
    _policy()


def downgrade() -> None:
    for table in ("approval_policy_version", "approval_policy", "memo_counters", "memos", "approvals",
                  "adjustment_lines", "adjustments", "dispute_lines", "disputes", "invoice_lines", "invoices"):
        op.drop_table(table, schema=SCHEMA)
