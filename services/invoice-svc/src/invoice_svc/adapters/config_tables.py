"""The configuration read model: products, billing accounts and contracts as billing.config.v1 carries them.

Each row keeps the full state JSON (what pricing reads) and the few columns billing filters or joins on.
"""

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from invoice_svc.adapters.tables import metadata

products = Table(
    "products", metadata,
    Column("code", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("pricing_model", String(20), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

accounts = Table(
    "accounts", metadata,
    Column("account_id", String(200), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

contracts = Table(
    "contracts", metadata,
    Column("contract_id", String(200), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("amendment_no", Integer, nullable=False),
    Column("advertiser_account_id", String(200), nullable=False),
    Column("bill_to_account_id", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("flight_start", Date, nullable=False),
    Column("flight_end", Date, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_contracts_bill_to_account_id", "bill_to_account_id"),
    Index("ix_contracts_advertiser_account_id", "advertiser_account_id"),
)

# One row per amendment (versions[] of the contract state): the terms in effect from `effective_from`.
contract_versions = Table(
    "contract_versions", metadata,
    Column("contract_id", String(200), primary_key=True),
    Column("amendment_no", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("terms", JSONB, nullable=False),
)

# The registered delivery sources (oversight.md O1): the CloudEvents sources allowed to publish each system's
# deliveries.
delivery_sources = Table(
    "delivery_sources", metadata,
    Column("source_system", String(200), primary_key=True),
    Column("event_sources", ARRAY(String(200)), nullable=False),
    Column("state", JSONB, nullable=False),
    Column("state_version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Crosswalks (oversight.md O1): a delivery source's line item ids mapped to ours, applied at ingestion.
source_crosswalks = Table(
    "source_crosswalks", metadata,
    Column("source_system", String(200), nullable=False),
    Column("source_line_item_id", String(200), nullable=False),
    Column("line_item_id", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source_system", "source_line_item_id"),
    # Which of a delivery batch's line items a crosswalk maps to (the first-seen rule's lock, crosswalk_repository).
    Index("ix_source_crosswalks_line_item", "line_item_id"),
)
