"""Billing exceptions: revenue at risk apart from over-delivery, and the quantity held back.

`amount_at_risk` now means revenue held back from invoicing only. A budget_exhausted exception's value is
over-delivery that can never be billed: it moves to `over_delivery_value`. `quantity` and `unit` say what a
held-back exception holds (priced or not).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"
TABLE = "billing_exceptions"
# v1 keeps its columns (amount_at_risk, now revenue at risk only); v2 adds what this revision adds.
VIEWS = {
    "report_billing_exceptions_v2": f"""
        SELECT exception_id, kind, status, account_id, delivery_id, refs, amount_at_risk, currency,
               over_delivery_value, quantity, unit, raised_at, assignee, assigned_at, resolved_at, resolved_by,
               resolution
          FROM {SCHEMA}.{TABLE}""",
}


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("over_delivery_value", sa.Numeric(20, 2), nullable=True), schema=SCHEMA)
    op.add_column(TABLE, sa.Column("quantity", sa.BigInteger(), nullable=True), schema=SCHEMA)
    op.add_column(TABLE, sa.Column("unit", sa.String(32), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.{TABLE} SET over_delivery_value = amount_at_risk, amount_at_risk = NULL "
               "WHERE kind = 'budget_exhausted'")
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS), last=False)
    op.execute(f"UPDATE {SCHEMA}.{TABLE} SET amount_at_risk = over_delivery_value "
               "WHERE kind = 'budget_exhausted'")
    op.drop_column(TABLE, "unit", schema=SCHEMA)
    op.drop_column(TABLE, "quantity", schema=SCHEMA)
    op.drop_column(TABLE, "over_delivery_value", schema=SCHEMA)
