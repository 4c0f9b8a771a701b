"""The ledger keyed by (source_system, delivery_id) (oversight.md O1): a delivery_id is unique within its source, so
two systems may report the same id; rule-13 revisions apply within a source. Delivery exceptions name the source
too (`billing_exceptions.source_system`, and their dedupe key `delivery:<source>:<delivery_id>:<kind>`).

Existing rows are kept as they are: every delivery_id was unique, so each keeps its row under its own source, and
each delivery exception takes the source of its delivery. Downgrading fails while two sources share a delivery_id.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"
OPEN = sa.text("status <> 'resolved'")


def upgrade() -> None:
    op.drop_constraint("pk_deliveries", "deliveries", type_="primary", schema=SCHEMA)
    op.create_primary_key("pk_deliveries", "deliveries", ["source_system", "delivery_id"], schema=SCHEMA)
    op.drop_constraint("pk_delivery_revisions", "delivery_revisions", type_="primary", schema=SCHEMA)
    op.create_primary_key("pk_delivery_revisions", "delivery_revisions", ["source_system", "delivery_id", "revision"],
                          schema=SCHEMA)
    op.add_column("billing_exceptions", sa.Column("source_system", sa.String(100), nullable=True), schema=SCHEMA)
    op.execute(f"""
        UPDATE {SCHEMA}.billing_exceptions x
           SET source_system = d.source_system,
               dedupe_key = CASE WHEN x.dedupe_key = 'delivery:' || x.delivery_id || ':' || x.kind
                                 THEN 'delivery:' || d.source_system || ':' || x.delivery_id || ':' || x.kind
                                 ELSE x.dedupe_key END
          FROM {SCHEMA}.deliveries d
         WHERE d.delivery_id = x.delivery_id""")
    op.drop_index("ix_billing_exceptions_open_delivery", table_name="billing_exceptions", schema=SCHEMA)
    op.create_index("ix_billing_exceptions_open_delivery", "billing_exceptions", ["source_system", "delivery_id"],
                    schema=SCHEMA, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_billing_exceptions_open_delivery", table_name="billing_exceptions", schema=SCHEMA)
    op.create_index("ix_billing_exceptions_open_delivery", "billing_exceptions", ["delivery_id"], schema=SCHEMA,
                    postgresql_where=OPEN)
    op.execute(f"""
        UPDATE {SCHEMA}.billing_exceptions
           SET dedupe_key = 'delivery:' || delivery_id || ':' || kind
         WHERE source_system IS NOT NULL
           AND dedupe_key = 'delivery:' || source_system || ':' || delivery_id || ':' || kind""")
    op.drop_column("billing_exceptions", "source_system", schema=SCHEMA)
    op.drop_constraint("pk_delivery_revisions", "delivery_revisions", type_="primary", schema=SCHEMA)
    op.create_primary_key("pk_delivery_revisions", "delivery_revisions", ["delivery_id", "revision"], schema=SCHEMA)
    op.drop_constraint("pk_deliveries", "deliveries", type_="primary", schema=SCHEMA)
    op.create_primary_key("pk_deliveries", "deliveries", ["delivery_id"], schema=SCHEMA)
