"""Tables of adjustment-svc, all in its own schema."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "adjustment_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)

MONEY = Numeric(18, 4)

# ---- read model of issued invoices (billing.invoices.v1 + this service's memos) ----------------
invoices = Table(
    "invoices", metadata,
    Column("invoice_id", String(100), primary_key=True),
    Column("invoice_number", String(40), nullable=False),
    Column("account_id", String(100), nullable=False),
    Column("bill_to_account_id", String(100), nullable=False, index=True),
    Column("contract_id", String(100), nullable=True),
    Column("po_number", String(200), nullable=True),
    Column("period", String(7), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("discount_total", MONEY, nullable=False),
    Column("commission_total", MONEY, nullable=False),
    Column("tax_total", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("status", String(20), nullable=False),  # issued | void
    Column("voided_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("invoice_id", String(100), ForeignKey(invoices.c.invoice_id), nullable=False),
    Column("invoice_line_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("tax_code", String(40), nullable=True),
    Column("product_code", String(100), nullable=True),
    Column("credited", MONEY, nullable=False, server_default="0"),
    Column("debited", MONEY, nullable=False, server_default="0"),
    PrimaryKeyConstraint("invoice_id", "invoice_line_id"),
)

# ---- read model of billing accounts (billing.config.v1, event-carried state) ----------------------
# The bill-to account as product-config-svc last described it: its name and contact go on credit memos.
accounts = Table(
    "accounts", metadata,
    Column("account_id", String(200), primary_key=True),
    Column("state_version", BigInteger, nullable=False),  # 64-bit, as product-config-svc counts it
    Column("legal_name", Text, nullable=False),
    Column("state", JSONB, nullable=False),  # the whole account state as the event carried it
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# ---- read model of disputes (billing.disputes.v1) ----------------------------------------------
disputes = Table(
    "disputes", metadata,
    Column("dispute_id", String(100), primary_key=True),
    Column("invoice_id", String(100), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # open | resolved | withdrawn
    Column("reason_code", String(40), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_by", String(200), nullable=False),
    Column("outcome", String(30), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

dispute_lines = Table(
    "dispute_lines", metadata,
    Column("dispute_id", String(100), ForeignKey(disputes.c.dispute_id), nullable=False),
    Column("invoice_line_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("amount", MONEY, nullable=False),
    PrimaryKeyConstraint("dispute_id", "invoice_line_id"),
)

# ---- adjustment requests, approvals, memos ---------------------------------------------------
adjustments = Table(
    "adjustments", metadata,
    Column("adjustment_id", String(64), primary_key=True),
    Column("invoice_id", String(100), ForeignKey(invoices.c.invoice_id), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # credit | debit
    Column("status", String(20), nullable=False),  # pending_approval | approved | rejected
    Column("reason_code", String(40), nullable=False),
    Column("dispute_id", String(100), nullable=True),
    Column("note", Text, nullable=False),
    Column("attachments", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("currency", String(3), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("approval_level", String(30), nullable=False),
    # Why that level (domain.approval_basis); null for requests judged before limits applied to cumulative amounts.
    Column("approval_basis", JSONB, nullable=True),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("rejected_by", String(200), nullable=True),
    Column("rejection_reason", Text, nullable=True),
    Column("memo_id", String(64), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    # oversight.md O4: from mediabill_common.events.catalog.ANALYST_ROOT_CAUSES (null when never given).
    Column("root_cause", String(40), nullable=True),
    # oversight.md O3: the billing exception (an invoice_drift) whose correction this request turns into a memo.
    Column("source_exception_id", String(100), nullable=True),
    # One live credit request per dispute: a rejected one frees the dispute for its re-resolution.
    Index("uq_adjustments_live_dispute", "dispute_id", unique=True,
          postgresql_where=text("dispute_id IS NOT NULL AND status <> 'rejected'")),
    Index("ix_adjustments_status_requested", "status", "requested_at"),
)

adjustment_lines = Table(
    "adjustment_lines", metadata,
    Column("adjustment_id", String(64), ForeignKey(adjustments.c.adjustment_id), nullable=False),
    Column("position", Integer, nullable=False),
    Column("invoice_line_id", String(100), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("description", Text, nullable=False),
    Column("derived", Integer, nullable=False),  # 0 named by the request, 1 derived reversal (rule 21)
    PrimaryKeyConstraint("adjustment_id", "position"),
)

approvals = Table(
    "approvals", metadata,
    Column("adjustment_id", String(64), ForeignKey(adjustments.c.adjustment_id), nullable=False),
    Column("approver", String(200), nullable=False),
    Column("roles", JSONB, nullable=False),
    Column("comment", Text, nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    # Two approvals always come from two different people.
    PrimaryKeyConstraint("adjustment_id", "approver"),
)

memos = Table(
    "memos", metadata,
    Column("memo_id", String(64), primary_key=True),
    Column("memo_number", String(20), nullable=False, unique=True),
    Column("adjustment_id", String(64), ForeignKey(adjustments.c.adjustment_id), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),
    Column("invoice_id", String(100), nullable=False, index=True),
    Column("invoice_number", String(40), nullable=False),
    Column("bill_to_account_id", String(100), nullable=False),
    Column("dispute_id", String(100), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("approved_by", JSONB, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Index("ix_memos_issued_at", "issued_at"),
)

# Issued memos' documents: rendered in the issuing transaction, served byte for byte afterwards (a trigger refuses
# UPDATE and DELETE).
memo_documents = Table(
    "memo_documents", metadata,
    Column("memo_id", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("rendered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

memo_counters = Table(
    "memo_counters", metadata,
    Column("series", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    PrimaryKeyConstraint("series", "year"),
)

approval_policy = Table(
    "approval_policy", metadata,
    Column("currency", String(3), primary_key=True),
    Column("auto_approve_max", MONEY, nullable=False),
    Column("single_approval_max", MONEY, nullable=False),
)

# A single row holding the policy's version for ETag / If-Match.
approval_policy_version = Table(
    "approval_policy_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(200), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
