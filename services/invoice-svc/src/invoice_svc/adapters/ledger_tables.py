"""The usage ledger (current figures per delivery and every revision received) and the billing exception queue."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
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


def _figures() -> list[Column]:
    return [
        Column("source_system", String(100), nullable=False),
        Column("account_id", String(200), nullable=False),
        Column("contract_id", String(200), nullable=True),
        Column("campaign_id", String(200), nullable=False),
        Column("line_item_id", String(200), nullable=False),
        Column("campaign_name", Text, nullable=True),
        Column("product_code", String(64), nullable=False),
        Column("delivery_date", Date, nullable=False),
        Column("impressions", BigInteger, nullable=False),
        Column("viewable_impressions", BigInteger, nullable=False),
        Column("clicks", BigInteger, nullable=False),
        Column("conversions", BigInteger, nullable=False),
        Column("third_party_impressions", BigInteger, nullable=True),
        Column("media_cost", Numeric(20, 6), nullable=True),
        Column("currency", String(3), nullable=True),
        Column("event_source", String(200), nullable=False),
        Column("event_id", String(200), nullable=False),
    ]


# The current figures of each delivery: the highest revision received. A delivery_id is unique within its source.
deliveries = Table(
    "deliveries", metadata,
    Column("delivery_id", String(200), nullable=False),
    Column("revision", Integer, nullable=False),
    *_figures(),
    Column("billable", Boolean, nullable=False),
    Column("exception_kinds", ARRAY(String(40)), nullable=False, server_default=text("'{}'")),
    # Another source bills the record's day (its product's billing_sources): kept, never billed, no exception.
    Column("shadow", Boolean, nullable=False, server_default=text("false")),
    Column("first_received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source_system", "delivery_id"),
    Index("ix_deliveries_account_date", "account_id", "delivery_date"),
    Index("ix_deliveries_contract_date", "contract_id", "delivery_date"),
    Index("ix_deliveries_line_item_date", "line_item_id", "delivery_date"),
    Index("ix_deliveries_date", "delivery_date", "delivery_id"),
    Index("ix_deliveries_product_date", "product_code", "delivery_date"),
    # Self-healing re-checks look up parked (non-billable) records by what they reference.
    Index("ix_deliveries_parked_product", "product_code", postgresql_where=text("NOT billable")),
    Index("ix_deliveries_parked_account", "account_id", postgresql_where=text("NOT billable")),
    Index("ix_deliveries_parked_contract", "contract_id", postgresql_where=text("NOT billable")),
)

# Every revision ever received for a delivery (history; the highest one is current).
delivery_revisions = Table(
    "delivery_revisions", metadata,
    Column("delivery_id", String(200), nullable=False),
    Column("revision", Integer, nullable=False),
    *_figures(),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source_system", "delivery_id", "revision"),
)

billing_exceptions = Table(
    "billing_exceptions", metadata,
    Column("exception_id", String(64), primary_key=True),
    Column("kind", String(40), nullable=False),
    # open -> assigned -> resolved; a resolved exception never reopens (a new one is raised instead).
    Column("status", String(20), nullable=False),
    Column("dedupe_key", String(400), nullable=False),
    Column("account_id", String(200), nullable=True),
    Column("delivery_id", String(200), nullable=True),
    # The delivery's source (a delivery_id is unique within its source); null on exceptions of no delivery.
    Column("source_system", String(100), nullable=True),
    Column("refs", JSONB, nullable=False),
    Column("amount_at_risk", Numeric(20, 2), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("raised_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("assignee", String(200), nullable=True),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(200), nullable=True),
    Column("resolution", Text, nullable=True),
    Column("version", Integer, nullable=False, server_default=text("1")),
    # amount_at_risk: revenue held back (domain.billing.exposure); over-delivery beyond a budget is kept apart.
    Column("over_delivery_value", Numeric(20, 2), nullable=True),
    # What is held back, priced or not: the quantity in its unit (impressions, clicks, ...).
    Column("quantity", BigInteger, nullable=True),
    Column("unit", String(32), nullable=True),
    # oversight.md O4: from mediabill_common.events.catalog.ROOT_CAUSES once resolved (null before issue 22).
    Column("root_cause", String(40), nullable=True),
    # One unresolved exception per dedupe key (e.g. per delivery and kind), however often the cause recurs.
    Index("uq_billing_exceptions_open_dedupe_key", "dedupe_key", unique=True,
          postgresql_where=text("status <> 'resolved'")),
    Index("ix_billing_exceptions_open_delivery", "source_system", "delivery_id",
          postgresql_where=text("status <> 'resolved'")),
    Index("ix_billing_exceptions_status_raised", "status", "raised_at"),
    Index("ix_billing_exceptions_account", "account_id", "raised_at"),
)
