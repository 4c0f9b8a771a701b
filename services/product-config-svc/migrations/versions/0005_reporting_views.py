"""Reporting views for BI tools (docs/reporting.md), granted to mediabill_reporting.

Revision ID: 0005
Revises: 0004
"""

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "product_config_svc"

VIEWS = {
    "report_products_v1": f"""
        SELECT code, name, channel, pricing_model, status, state ->> 'gl_revenue_account' AS gl_revenue_account,
               state ->> 'tax_code' AS tax_code, updated_at
          FROM {SCHEMA}.products""",
    "report_accounts_v1": f"""
        SELECT account_id, type, legal_name, currency,
               CAST(state ->> 'payment_terms_days' AS integer) AS payment_terms_days, updated_at
          FROM {SCHEMA}.accounts""",
    "report_contracts_v1": f"""
        SELECT contract_id, status, advertiser_account_id, bill_to_account_id, currency, flight_start, flight_end,
               amendment_no, state ->> 'po_number' AS po_number,
               CAST(state ->> 'discount_pct' AS numeric) AS discount_pct,
               CAST(state ->> 'agency_commission_pct' AS numeric) AS agency_commission_pct,
               state ->> 'billing_basis' AS billing_basis, updated_at
          FROM {SCHEMA}.contracts""",
    "report_contract_lines_v1": f"""
        SELECT c.contract_id, l.line ->> 'line_item_id' AS line_item_id, l.line ->> 'product_code' AS product_code,
               CAST(l.line ->> 'rate' AS numeric) AS rate, CAST(l.line ->> 'budget' AS numeric) AS budget,
               CAST(l.line ->> 'fee' AS numeric) AS fee, c.currency
          FROM {SCHEMA}.contracts c CROSS JOIN LATERAL jsonb_array_elements(c.state -> 'lines') AS l(line)""",
}


def upgrade() -> None:
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS))
