"""Billing exceptions: the root cause of a resolution (oversight.md O4); the ones the system resolved itself are
`system_resolved`, the ones analysts resolved before it stay null (their cause was never recorded).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"


def upgrade() -> None:
    op.add_column("billing_exceptions", sa.Column("root_cause", sa.String(40), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.billing_exceptions SET root_cause = 'system_resolved' "
               "WHERE status = 'resolved' AND resolved_by = 'system'")


def downgrade() -> None:
    op.drop_column("billing_exceptions", "root_cause", schema=SCHEMA)
