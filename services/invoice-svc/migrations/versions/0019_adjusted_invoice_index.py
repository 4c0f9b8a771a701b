"""The prior-period lines billed against an invoice, found by the invoice they adjust: an assurance run reads them
for every invoice it checks (oversight.md O3), a chunk at a time. Partial: only adjustment lines name one.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.create_index("ix_invoice_lines_original_invoice", "invoice_lines", ["original_invoice_number"], schema=SCHEMA,
                    postgresql_where=sa.text("original_invoice_number IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_invoice_lines_original_invoice", table_name="invoice_lines", schema=SCHEMA)
