"""Tables of accounting-svc, all in its own schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "accounting_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)

MONEY = Numeric(20, 6)

# ---- read models (billing.config.v1, billing.invoices.v1, collections.payments.v1) ---------------------------
products = Table(
    "products", metadata,
    Column("code", String(200), primary_key=True),
    Column("state_version", BigInteger, nullable=False),
    Column("channel", String(200), nullable=True),
    Column("gl_revenue_account", String(200), nullable=True),
)

# An issued invoice with its lines (they decide the accounts of its memos) and the receivable state the journal
# has posted for it (C4), beside what invoice-svc last reported of its balance (InvoiceBalanceChanged).
invoices = Table(
    "invoices", metadata,
    Column("invoice_id", String(200), primary_key=True),
    Column("invoice_number", String(200), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("bill_to_account_id", String(200), nullable=False),
    Column("contract_id", String(200), nullable=True),
    Column("period", String(7), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("entry_id", String(36), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("credited", MONEY, nullable=False, server_default="0"),
    Column("debited", MONEY, nullable=False, server_default="0"),
    Column("paid", MONEY, nullable=False, server_default="0"),
    Column("voided", Boolean, nullable=False, server_default="false"),
    Column("reported_balance_due", MONEY, nullable=True),
    Column("reported_overpaid", MONEY, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A PaymentApplied waits here until invoice-svc applies it (InvoiceBalanceChanged caused by it) or the configured
# wait passes and it posts to unapplied cash (C4).
payments = Table(
    "payments", metadata,
    Column("payment_id", String(200), primary_key=True),
    Column("event_id", String(200), nullable=False, unique=True),
    Column("invoice_id", String(200), nullable=False),
    Column("bill_to_account_id", String(200), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", String(20), nullable=False),  # pending | applied | unapplied
    Index("ix_payments_pending", "received_at", postgresql_where="status = 'pending'"),
)

# The PaymentApplied events invoice-svc applied (InvoiceBalanceChanged.caused_by), when that is known first.
applied_payment_events = Table(
    "applied_payment_events", metadata,
    Column("event_id", String(200), primary_key=True),
)

# ---- the journal (C1) -------------------------------------------------------------------------------------------
journal_entries = Table(
    "journal_entries", metadata,
    Column("entry_id", String(36), primary_key=True),
    # Posting order: the ERP export's cursor (after_entry) follows it.
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("source_type", String(30), nullable=False),
    Column("source_id", String(300), nullable=False),
    Column("document_number", String(200), nullable=True),
    Column("posting_date", Date, nullable=False),
    Column("posting_period", String(7), nullable=False, index=True),
    Column("original_period", String(7), nullable=True),
    Column("reverses_entry_id", String(36), nullable=True),
    Column("posted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source_type", "source_id"),
)

journal_lines = Table(
    "journal_lines", metadata,
    Column("entry_id", String(36), ForeignKey(journal_entries.c.entry_id), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("account", String(200), nullable=False, index=True),
    Column("debit", MONEY, nullable=False),
    Column("credit", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("bill_to_account_id", String(200), nullable=True),
    Column("account_id", String(200), nullable=True),
    Column("contract_id", String(200), nullable=True, index=True),
    Column("product_code", String(200), nullable=True),
    Column("channel", String(200), nullable=True),
    Column("service_period", String(7), nullable=True),
    Column("tax_code", String(200), nullable=True),
    PrimaryKeyConstraint("entry_id", "line_no"),
)

# ---- the period calendar (C10, C11) and the chart of accounts (C8) ------------------------------------------------
periods = Table(
    "periods", metadata,
    Column("period", String(7), primary_key=True),
    Column("status", String(10), nullable=False),  # open | closed
    Column("close_count", Integer, nullable=False, server_default="0"),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", String(200), nullable=True),
    Column("snapshot_id", String(200), nullable=True),
    Column("reopened_at", DateTime(timezone=True), nullable=True),
    Column("reopened_by", String(200), nullable=True),
    Column("reopen_reason", Text, nullable=True),
)

# One row: the mapping as JSON (domain.chart.ChartOfAccounts) and its version for ETag / If-Match.
chart_of_accounts = Table(
    "chart_of_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("mapping", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(200), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# What accounting-svc's consumer dead-lettered (the record is on `<topic>.dlq`; this row lets the close checklist
# see it, C10 "nothing dead-lettered"). Event id, type and source when the record's envelope could be read.
dead_letters = Table(
    "dead_letters", metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("consumer", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event_id", String(200), nullable=True),
    Column("event_type", String(100), nullable=True),
    Column("source", String(200), nullable=True),
    Column("reason", Text, nullable=False),
    Column("dead_lettered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A billing director's decision that the letter posts nothing (e.g. a record that was never an event): it no
    # longer holds the close (audited).
    Column("dismissed_at", DateTime(timezone=True), nullable=True),
    Column("dismissed_by", String(200), nullable=True),
    Column("dismiss_reason", Text, nullable=True),
    UniqueConstraint("consumer", "topic", "partition", "offset"),
    Index("ix_dead_letters_consumer_at", "consumer", "dead_lettered_at"),
)
