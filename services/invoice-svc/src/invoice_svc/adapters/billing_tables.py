"""Bill runs, invoices and their lines, the invoice number counters, and the receivable entries per invoice."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from invoice_svc.adapters.tables import metadata


def _money(name: str, nullable: bool = False) -> Column:
    return Column(name, Numeric(20, 6), nullable=nullable, server_default=None if nullable else text("0"))


bill_runs = Table(
    "bill_runs", metadata,
    Column("run_id", String(64), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("mode", String(10), nullable=False),                 # preview | issue
    Column("bill_to_account_ids", ARRAY(String(200)), nullable=True),
    Column("status", String(12), nullable=False),               # queued | running | completed | failed
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Rule 1's snapshot: the run prices the deliveries ingested up to this instant (set once, kept on restart).
    Column("snapshot_at", DateTime(timezone=True), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("claimed_by", String(200), nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("groups_total", Integer, nullable=True),
    Column("groups_done", Integer, nullable=False, server_default=text("0")),
    Column("counts", JSONB, nullable=False, server_default=text("'{}'")),
    Column("totals", JSONB, nullable=False, server_default=text("'{}'")),
    Column("exception_ids", JSONB, nullable=False, server_default=text("'[]'")),
    Column("error", Text, nullable=True),
    # oversight.md O1: a shadow preview prices the period as if this delivery source billed (null: the real one).
    Column("source_system", String(100), nullable=True),
    Index("ix_bill_runs_claimable", "requested_at", postgresql_where=text("status IN ('queued', 'running')")),
    Index("ix_bill_runs_period", "period", "requested_at"),
)

# A shadow preview's drafts (oversight.md O1): kept under its run id only, never invoices (never listed, issued,
# numbered or counted in KPIs); what GET /v1/reconciliations/bill-runs compares.
shadow_drafts = Table(
    "shadow_drafts", metadata,
    Column("run_id", String(64), nullable=False),
    Column("bill_to_account_id", String(200), nullable=False),
    Column("contract_key", String(200), nullable=False),        # contract id, '' for self-serve
    Column("period", String(7), nullable=False),
    Column("currency", String(3), nullable=False),
    _money("total"),
    Column("lines", JSONB, nullable=False),                     # InvoiceLine wire form, as on invoices' lines
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("run_id", "bill_to_account_id", "contract_key"),
)

invoices = Table(
    "invoices", metadata,
    Column("invoice_id", String(64), primary_key=True),
    Column("invoice_number", String(20), nullable=True, unique=True),
    Column("status", String(10), nullable=False),               # draft | issued | void
    Column("bill_to_account_id", String(200), nullable=False),
    Column("account_id", String(200), nullable=False),          # the advertiser
    Column("contract_key", String(200), nullable=False),        # contract id, '' for self-serve
    Column("contract_id", String(200), nullable=True),
    Column("period", String(7), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("po_number", String(200), nullable=True),
    Column("issue_date", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("payment_terms_days", Integer, nullable=True),
    _money("subtotal"), _money("discount_total"), _money("commission_total"), _money("tax_total"), _money("total"),
    Column("adjustment_only", Boolean, nullable=False, server_default=text("false")),
    Column("bill_run_id", String(64), nullable=False),
    Column("snapshot_at", DateTime(timezone=True), nullable=False),
    # Rule 13: changes to the period's deliveries up to this instant are billed (by this invoice or adjustments).
    Column("reconciled_through", DateTime(timezone=True), nullable=False),
    Column("document", JSONB, nullable=False, server_default=text("'{}'")),   # names printed on the PDF
    Column("exceptions", JSONB, nullable=False, server_default=text("'[]'")),  # pricing findings of a draft
    # What the invoice was priced with (engine version, terms version, digests of the rate cards and terms, the
    # already-billed amounts): assurance re-prices with the same and names what changed. Null before O3.
    Column("pricing_inputs", JSONB, nullable=True),
    # The receivable (rule 17), kept from balance_entries.
    _money("credited"), _money("debited"), _money("paid"), _money("balance_due"), _money("overpaid"),
    _money("disputed_amount"),
    Column("balance_status", String(16), nullable=True),
    Column("voided_at", DateTime(timezone=True), nullable=True),
    Column("voided_by", String(200), nullable=True),
    Column("void_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    # Rule 2: one non-void invoice per (bill-to, contract, period); one draft per group too.
    Index("uq_invoices_issued_group", "bill_to_account_id", "contract_key", "period", unique=True,
          postgresql_where=text("status = 'issued'")),
    Index("uq_invoices_draft_group", "bill_to_account_id", "contract_key", "period", unique=True,
          postgresql_where=text("status = 'draft'")),
    Index("ix_invoices_contract_period", "contract_key", "period"),
    Index("ix_invoices_bill_to_period", "bill_to_account_id", "period"),
)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("invoice_id", String(64), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("invoice_line_id", String(64), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("component", String(20), nullable=False),
    Column("description", Text, nullable=False),
    Column("product_code", String(64), nullable=True),
    Column("gl_revenue_account", String(100), nullable=True),
    Column("campaign_id", String(200), nullable=True),
    Column("campaign_name", Text, nullable=True),
    Column("line_item_id", String(200), nullable=True),
    Column("quantity", BigInteger, nullable=False),
    Column("unit", String(30), nullable=True),
    Column("unit_price", Numeric(20, 6), nullable=False),
    Column("price_base_quantity", Integer, nullable=False),
    Column("amount", Numeric(20, 6), nullable=False),
    Column("value", Numeric(20, 6), nullable=True),
    Column("original_invoice_number", String(20), nullable=True),
    Column("tax_code", String(40), nullable=True),
    Column("adjusts_kind", String(20), nullable=True),
    Column("original_period", String(7), nullable=True),
    PrimaryKeyConstraint("invoice_id", "line_no"),
    Index("uq_invoice_lines_line_id", "invoice_line_id", unique=True),
    # What closed periods owe and what later invoices billed for them (close.md C12).
    Index("ix_invoice_lines_owed_period", "original_period",
          postgresql_where=text("original_invoice_number IS NULL AND kind = 'prior_period_adjustment'")),
    # The adjustment lines billed against an invoice (rule 13), as assurance runs read them (oversight.md O3).
    Index("ix_invoice_lines_original_invoice", "original_invoice_number",
          postgresql_where=text("original_invoice_number IS NOT NULL")),
)

invoice_counters = Table(
    "invoice_counters", metadata,
    Column("series", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_number", BigInteger, nullable=False),
    PrimaryKeyConstraint("series", "year"),
)

# Memos, payments and dispute events per invoice; the balance is recomputed from all of them (order-free).
balance_entries = Table(
    "balance_entries", metadata,
    Column("entry_id", String(200), nullable=False),            # payment_id, memo_id or the dispute event id
    Column("kind", String(20), nullable=False),
    Column("invoice_id", String(64), nullable=False),
    Column("dispute_id", String(200), nullable=True),
    Column("amount", Numeric(20, 6), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Who caused the entry and what its event said (the invoice's history); null for entries recorded before.
    Column("actor", String(200), nullable=True),
    Column("details", JSONB, nullable=True),
    PrimaryKeyConstraint("kind", "entry_id"),
    Index("ix_balance_entries_invoice", "invoice_id"),
)

# Issued invoices' documents: the PDF rendered once from the invoice as issued, served byte for byte afterwards
# (a trigger refuses UPDATE and DELETE).
invoice_documents = Table(
    "invoice_documents", metadata,
    Column("invoice_id", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("rendered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
