"""The products each invoiced period billed, so a billing-source change is refused in an invoiced period (O1).

Rows recorded before this revision keep NULL: their products are unknown, so they count as invoiced for every
product (a change is refused rather than allowed to re-bill an invoiced day).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "product_config_svc"


def upgrade() -> None:
    op.add_column("invoiced_periods", sa.Column("product_codes", postgresql.ARRAY(sa.String(64)), nullable=True),
                  schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("invoiced_periods", "product_codes", schema=SCHEMA)
