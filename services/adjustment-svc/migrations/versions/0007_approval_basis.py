"""Approval on cumulative amounts (rule 22): each request keeps why it needs its approval level, and the bill-to's
requests are summed through an index on the invoices' bill-to account.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "adjustment_svc"


def upgrade() -> None:
    # Null for the requests made before: their level was judged on the request alone.
    op.add_column("adjustments", sa.Column("approval_basis", JSONB, nullable=True), schema=SCHEMA)
    op.create_index("ix_invoices_bill_to_account_id", "invoices", ["bill_to_account_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_invoices_bill_to_account_id", table_name="invoices", schema=SCHEMA)
    op.drop_column("adjustments", "approval_basis", schema=SCHEMA)
