"""Shadow deliveries (oversight.md O1): a record of a source its product does not bill that day is kept, never
billed and raises no exception. Existing records are not shadow (no product named billing sources before).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("shadow", sa.Boolean(), server_default=sa.false(), nullable=False),
                  schema=SCHEMA)
    # The re-check after a product's billing sources change reads the product's deliveries from a date.
    op.create_index("ix_deliveries_product_date", "deliveries", ["product_code", "delivery_date"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_deliveries_product_date", table_name="deliveries", schema=SCHEMA)
    op.drop_column("deliveries", "shadow", schema=SCHEMA)
