"""Usage ledger, billing exception queue and configuration read model.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def _figures() -> list[sa.Column]:
    return [
        sa.Column("source_system", sa.String(100), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("contract_id", sa.String(200), nullable=True),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("line_item_id", sa.String(200), nullable=False),
        sa.Column("campaign_name", sa.Text, nullable=True),
        sa.Column("product_code", sa.String(64), nullable=False),
        sa.Column("delivery_date", sa.Date, nullable=False),
        sa.Column("impressions", sa.BigInteger, nullable=False),
        sa.Column("viewable_impressions", sa.BigInteger, nullable=False),
        sa.Column("clicks", sa.BigInteger, nullable=False),
        sa.Column("conversions", sa.BigInteger, nullable=False),
        sa.Column("third_party_impressions", sa.BigInteger, nullable=True),
        sa.Column("media_cost", sa.Numeric(20, 6), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("event_source", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
    ]


def _now() -> sa.Column:
    return sa.func.now()


def _config_tables() -> None:
    op.create_table(
        "products",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pricing_model", sa.String(20), nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.Column("state_version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("code", name="pk_products"), schema=SCHEMA,
    )
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.Column("state_version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"), schema=SCHEMA,
    )
    op.create_table(
        "contracts",
        sa.Column("contract_id", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("amendment_no", sa.Integer, nullable=False),
        sa.Column("advertiser_account_id", sa.String(200), nullable=False),
        sa.Column("bill_to_account_id", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("flight_start", sa.Date, nullable=False),
        sa.Column("flight_end", sa.Date, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.Column("state_version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contracts"), schema=SCHEMA,
    )
    op.create_index("ix_contracts_bill_to_account_id", "contracts", ["bill_to_account_id"], schema=SCHEMA)
    op.create_index("ix_contracts_advertiser_account_id", "contracts", ["advertiser_account_id"], schema=SCHEMA)
    op.create_table(
        "contract_versions",
        sa.Column("contract_id", sa.String(200), nullable=False),
        sa.Column("amendment_no", sa.Integer, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("terms", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "amendment_no", name="pk_contract_versions"), schema=SCHEMA,
    )


def _ledger_tables() -> None:
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        *_figures(),
        sa.Column("billable", sa.Boolean, nullable=False),
        sa.Column("exception_kinds", ARRAY(sa.String(40)), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("first_received_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_deliveries"), schema=SCHEMA,
    )
    for name, cols in [("ix_deliveries_account_date", ["account_id", "delivery_date"]),
                       ("ix_deliveries_contract_date", ["contract_id", "delivery_date"]),
                       ("ix_deliveries_line_item_date", ["line_item_id", "delivery_date"]),
                       ("ix_deliveries_date", ["delivery_date", "delivery_id"])]:
        op.create_index(name, "deliveries", cols, schema=SCHEMA)
    for name, col in [("ix_deliveries_parked_product", "product_code"),
                      ("ix_deliveries_parked_account", "account_id"),
                      ("ix_deliveries_parked_contract", "contract_id")]:
        op.create_index(name, "deliveries", [col], schema=SCHEMA, postgresql_where=sa.text("NOT billable"))
    op.create_table(
        "delivery_revisions",
        sa.Column("delivery_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        *_figures(),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.PrimaryKeyConstraint("delivery_id", "revision", name="pk_delivery_revisions"), schema=SCHEMA,
    )


def _exception_table() -> None:
    op.create_table(
        "billing_exceptions",
        sa.Column("exception_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(400), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=True),
        sa.Column("delivery_id", sa.String(200), nullable=True),
        sa.Column("refs", JSONB, nullable=False),
        sa.Column("amount_at_risk", sa.Numeric(20, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("exception_id", name="pk_billing_exceptions"), schema=SCHEMA,
    )
    op.create_index("uq_billing_exceptions_open_dedupe_key", "billing_exceptions", ["dedupe_key"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text("status <> 'resolved'"))
    op.create_index("ix_billing_exceptions_open_delivery", "billing_exceptions", ["delivery_id"], schema=SCHEMA,
                    postgresql_where=sa.text("status <> 'resolved'"))
    op.create_index("ix_billing_exceptions_status_raised", "billing_exceptions", ["status", "raised_at"],
                    schema=SCHEMA)
    op.create_index("ix_billing_exceptions_account", "billing_exceptions", ["account_id", "raised_at"],
                    schema=SCHEMA)


def upgrade() -> None:
    _config_tables()
    _ledger_tables()
    _exception_table()


def downgrade() -> None:
    for table in ("billing_exceptions", "delivery_revisions", "deliveries", "contract_versions", "contracts",
                  "accounts", "products"):
        op.drop_table(table, schema=SCHEMA)
