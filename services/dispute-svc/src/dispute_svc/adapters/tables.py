"""Tables of dispute-svc, all in its own schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "dispute_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)

MONEY = Numeric(18, 4)

# Read model of issued invoices (billing.invoices.v1) with what was credited (billing.adjustments.v1).
invoices = Table(
    "invoices", metadata,
    Column("invoice_id", String(100), primary_key=True),
    Column("invoice_number", String(40), nullable=False),
    Column("account_id", String(100), nullable=False),
    Column("bill_to_account_id", String(100), nullable=False),
    Column("contract_id", String(100), nullable=True),
    Column("po_number", String(100), nullable=True),
    Column("period", String(7), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("status", String(20), nullable=False),
    Column("credited", MONEY, nullable=False, server_default="0"),
    Column("paid", MONEY, nullable=False, server_default="0"),
    Column("balance_due", MONEY, nullable=False),
    Column("disputed_amount", MONEY, nullable=False, server_default="0"),
    Column("issued", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_invoices_issue_date", "issue_date"),
    Index("ix_invoices_contract", "contract_id", "period"),
)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("invoice_id", String(100), nullable=False),
    Column("invoice_line_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("product_code", String(64), nullable=True),
    Column("line_item_id", String(100), nullable=True),
    Column("description", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("credited", MONEY, nullable=False, server_default="0"),
    PrimaryKeyConstraint("invoice_id", "invoice_line_id"),
)

# Credit memos seen, so a memo replayed from the parking lot is applied once.
credit_memos = Table(
    "credit_memos", metadata,
    Column("memo_id", String(100), primary_key=True),
    Column("invoice_id", String(100), nullable=False),
    Column("dispute_id", String(100), nullable=True),
    Column("total", MONEY, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

# Config read model (billing.config.v1, event-carried state): kind is product | account | contract.
config_states = Table(
    "config_states", metadata,
    Column("kind", String(20), nullable=False),
    Column("key", String(100), nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("kind", "key"),
)

disputes = Table(
    "disputes", metadata,
    Column("dispute_id", String(100), primary_key=True),
    Column("invoice_id", String(100), nullable=False),
    Column("invoice_number", String(40), nullable=False),
    Column("bill_to_account_id", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("status", String(20), nullable=False),
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("assignment_due_at", DateTime(timezone=True), nullable=False),
    Column("resolution_due_at", DateTime(timezone=True), nullable=False),
    Column("assignee", String(200), nullable=True),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("credit_amount", MONEY, nullable=True),
    Column("resolution_note", Text, nullable=True),
    Column("resolved_by", String(200), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("credit_settled", Boolean, nullable=False, server_default="false"),
    Column("attachments", JSONB, nullable=False, server_default="[]"),
    Column("version", Integer, nullable=False),
    # oversight.md O4: from mediabill_common.events.catalog.ANALYST_ROOT_CAUSES (null when resolved before).
    Column("root_cause", String(40), nullable=True),
    Index("ix_disputes_invoice", "invoice_id"),
    Index("ix_disputes_opened", "opened_at", "dispute_id"),
    Index("ix_disputes_status", "status"),
)

dispute_lines = Table(
    "dispute_lines", metadata,
    Column("dispute_id", String(100), nullable=False),
    Column("invoice_line_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("product_code", String(64), nullable=True),
    Column("line_item_id", String(100), nullable=True),
    PrimaryKeyConstraint("dispute_id", "invoice_line_id"),
)

dispute_history = Table(
    "dispute_history", metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("dispute_id", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("details", JSONB, nullable=False, server_default="{}"),
    Index("ix_dispute_history_dispute", "dispute_id", "id"),
)

# One row: the SLA policy document and its version (for ETag / If-Match).
sla_policy = Table(
    "sla_policy", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("policy", JSONB, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
