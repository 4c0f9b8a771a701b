"""Tables of product-config-svc, all in its own schema.

Each aggregate is stored as its full current state (the same JSON the events carry) plus the columns lists filter
on, and its `state_version` (bumped by one per change; also the ETag). Rate-card versions live in the product state;
contract versions in the contract state.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from mediabill_common.db import define_common_tables, make_metadata

SCHEMA = "product_config_svc"
metadata = make_metadata(SCHEMA)
common = define_common_tables(metadata)

products = Table(
    "products", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("pricing_model", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_products_status_code", "status", "code"),
)

accounts = Table(
    "accounts", metadata,
    Column("account_id", String(64), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("legal_name", String(300), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_accounts_type_id", "type", "account_id"),
)

contracts = Table(
    "contracts", metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("advertiser_account_id", String(64), nullable=False),
    Column("bill_to_account_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("flight_start", Date, nullable=False),
    Column("flight_end", Date, nullable=False),
    Column("amendment_no", Integer, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_contracts_advertiser", "advertiser_account_id"),
    Index("ix_contracts_bill_to", "bill_to_account_id"),
    Index("ix_contracts_status", "status"),
)

# The delivery sources (oversight.md O1): which CloudEvents sources may publish a source_system's deliveries.
delivery_sources = Table(
    "delivery_sources", metadata,
    Column("source_system", String(200), primary_key=True),
    Column("name", String(1000), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Read model of billing.invoices.v1: which contract periods carry a non-void invoice.
invoiced_periods = Table(
    "invoiced_periods", metadata,
    Column("invoice_id", String(64), primary_key=True),
    Column("invoice_number", String(64), nullable=False),
    Column("contract_id", String(64), nullable=True),
    Column("period", String(7), nullable=False),
    Column("voided", Boolean, nullable=False, server_default="false"),
    # The products the invoice billed; NULL on rows recorded before they were kept (counts for every product).
    Column("product_codes", ARRAY(String(64)), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_invoiced_periods_contract", "contract_id", "period"),
)
