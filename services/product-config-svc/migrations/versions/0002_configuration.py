"""Products, billing accounts, contracts and the invoiced-periods read model.

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

SCHEMA = "product_config_svc"


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column("state", JSONB, nullable=False),
        sa.Column("state_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("pricing_model", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("code", name="pk_products"),
        schema=SCHEMA,
    )
    op.create_index("ix_products_status_code", "products", ["status", "code"], schema=SCHEMA)
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
        schema=SCHEMA,
    )
    op.create_index("ix_accounts_type_id", "accounts", ["type", "account_id"], schema=SCHEMA)
    op.create_table(
        "contracts",
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("advertiser_account_id", sa.String(64), nullable=False),
        sa.Column("bill_to_account_id", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("flight_start", sa.Date, nullable=False),
        sa.Column("flight_end", sa.Date, nullable=False),
        sa.Column("amendment_no", sa.Integer, nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contracts"),
        schema=SCHEMA,
    )
    op.create_index("ix_contracts_advertiser", "contracts", ["advertiser_account_id"], schema=SCHEMA)
    op.create_index("ix_contracts_bill_to", "contracts", ["bill_to_account_id"], schema=SCHEMA)
    op.create_index("ix_contracts_status", "contracts", ["status"], schema=SCHEMA)
    op.create_table(
        "invoiced_periods",
        sa.Column("invoice_id", sa.String(64), nullable=False),
        sa.Column("invoice_number", sa.String(64), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("voided", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoiced_periods"),
        schema=SCHEMA,
    )
    op.create_index("ix_invoiced_periods_contract", "invoiced_periods", ["contract_id", "period"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("invoiced_periods", schema=SCHEMA)
    op.drop_table("contracts", schema=SCHEMA)
    op.drop_table("accounts", schema=SCHEMA)
    op.drop_table("products", schema=SCHEMA)
