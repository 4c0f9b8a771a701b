"""Invoice lines: find what closed periods owe and what later invoices billed for them (close.md C12) by an index,
not a scan of every line.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_index("ix_invoice_lines_owed_period", "invoice_lines", ["original_period"], schema=SCHEMA,
                    postgresql_where=sa.text("original_invoice_number IS NULL AND kind = 'prior_period_adjustment'"))


def downgrade() -> None:
    op.drop_index("ix_invoice_lines_owed_period", table_name="invoice_lines", schema=SCHEMA)
