"""invoice-svc's reactions to events, one per message (several types of one aggregate share one), named for what
they do, and the one table that registers them. Delivery is handled a whole batch at a time (ingestion
throughput)."""

from __future__ import annotations

from invoice_svc.app.handlers.when_account_changed_refresh_and_recheck import when_account_changed_refresh_and_recheck
from invoice_svc.app.handlers.when_campaign_delivered_record_in_ledger import when_campaign_delivered_record_in_ledger
from invoice_svc.app.handlers.when_contract_changed_refresh_and_recheck import (
    when_contract_changed_refresh_and_recheck,
)
from invoice_svc.app.handlers.when_delivery_source_registered_refresh import (
    when_delivery_source_registered_refresh,
)
from invoice_svc.app.handlers.when_dispute_changed_update_balance import when_dispute_changed_update_balance
from invoice_svc.app.handlers.when_memo_issued_update_balance import when_memo_issued_update_balance
from invoice_svc.app.handlers.when_payment_applied_update_balance import when_payment_applied_update_balance
from invoice_svc.app.handlers.when_period_closed_lock_period import when_period_closed_lock_period
from invoice_svc.app.handlers.when_period_reopened_unlock_period import when_period_reopened_unlock_period
from invoice_svc.app.handlers.when_product_changed_refresh_and_recheck import when_product_changed_refresh_and_recheck
from invoice_svc.app.ports import InvoiceUnit
from mediabill_common.consumer import HandlerTable

HANDLERS: HandlerTable[InvoiceUnit] = HandlerTable(
    {
        "ProductCreated": when_product_changed_refresh_and_recheck,
        "ProductUpdated": when_product_changed_refresh_and_recheck,
        "RateCardAdded": when_product_changed_refresh_and_recheck,
        "ProductActivated": when_product_changed_refresh_and_recheck,
        "ProductRetired": when_product_changed_refresh_and_recheck,
        "BillingAccountUpserted": when_account_changed_refresh_and_recheck,
        "DeliverySourceRegistered": when_delivery_source_registered_refresh,
        "ContractCreated": when_contract_changed_refresh_and_recheck,
        "ContractActivated": when_contract_changed_refresh_and_recheck,
        "ContractAmended": when_contract_changed_refresh_and_recheck,
        "ContractEnded": when_contract_changed_refresh_and_recheck,
        "CreditMemoIssued": when_memo_issued_update_balance,
        "DebitMemoIssued": when_memo_issued_update_balance,
        "PaymentApplied": when_payment_applied_update_balance,
        "DisputeOpened": when_dispute_changed_update_balance,
        "DisputeResolved": when_dispute_changed_update_balance,
        "DisputeWithdrawn": when_dispute_changed_update_balance,
        "DisputeReopened": when_dispute_changed_update_balance,
        "PeriodClosed": when_period_closed_lock_period,
        "PeriodReopened": when_period_reopened_unlock_period,
    },
    batch_handlers={"CampaignDelivered": when_campaign_delivered_record_in_ledger},
)
