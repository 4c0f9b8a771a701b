"""Reporting views for BI tools (close.md "BI / SQL reporting", docs/reporting.md), granted to mediabill_reporting.

Revision ID: 0008
Revises: 0007
"""

from mediabill_common.db.reporting import create_reporting_views, drop_reporting_views

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "invoice_svc"

VIEWS = {
    # Issued and void invoices (drafts are work in progress) with their receivable (billing-rules.md rule 17).
    "report_invoices_v1": f"""
        SELECT invoice_id, invoice_number, status, bill_to_account_id, account_id, contract_id, po_number, period,
               period_start, period_end, issue_date, due_date, currency, subtotal, discount_total, commission_total,
               tax_total, total, credited, debited, paid, balance_due, overpaid, disputed_amount,
               balance_status, voided_at, adjustment_only
          FROM {SCHEMA}.invoices WHERE status IN ('issued', 'void')""",
    "report_invoice_lines_v1": f"""
        SELECT l.invoice_id, i.invoice_number, i.status AS invoice_status, i.period, i.issue_date,
               i.bill_to_account_id, i.account_id, i.contract_id, i.currency, l.line_no, l.invoice_line_id, l.kind,
               l.adjusts_kind, l.product_code, l.gl_revenue_account, l.campaign_id, l.campaign_name,
               l.line_item_id, l.description, l.quantity, l.unit, l.unit_price, l.price_base_quantity, l.amount,
               l.value, l.tax_code, l.original_invoice_number, l.original_period
          FROM {SCHEMA}.invoice_lines l JOIN {SCHEMA}.invoices i ON i.invoice_id = l.invoice_id
         WHERE i.status IN ('issued', 'void')""",
    # Payments as invoice-svc applied them (applied = false: kept but not applied, e.g. another currency).
    "report_payments_v1": f"""
        SELECT e.entry_id AS payment_id, e.invoice_id, i.invoice_number, i.bill_to_account_id, e.amount,
               e.currency, e.at AS applied_at, e.applied, e.recorded_at
          FROM {SCHEMA}.balance_entries e JOIN {SCHEMA}.invoices i ON i.invoice_id = e.invoice_id
         WHERE e.kind = 'payment'""",
    "report_billing_exceptions_v1": f"""
        SELECT exception_id, kind, status, account_id, delivery_id, refs, amount_at_risk, currency, raised_at,
               assignee, assigned_at, resolved_at, resolved_by, resolution
          FROM {SCHEMA}.billing_exceptions""",
    # The delivery ledger (current revisions) summed per day and line item; billable = false is held back.
    "report_deliveries_daily_v1": f"""
        SELECT delivery_date, to_char(delivery_date, 'YYYY-MM') AS period, source_system, account_id, contract_id,
               campaign_id, line_item_id, product_code, billable, count(*) AS deliveries,
               sum(impressions) AS impressions, sum(viewable_impressions) AS viewable_impressions,
               sum(clicks) AS clicks, sum(conversions) AS conversions,
               sum(third_party_impressions) AS third_party_impressions, sum(media_cost) AS media_cost, currency
          FROM {SCHEMA}.deliveries
         GROUP BY delivery_date, source_system, account_id, contract_id, campaign_id, line_item_id, product_code,
                  billable, currency""",
}


def upgrade() -> None:
    create_reporting_views(SCHEMA, VIEWS)


def downgrade() -> None:
    drop_reporting_views(SCHEMA, list(VIEWS))
