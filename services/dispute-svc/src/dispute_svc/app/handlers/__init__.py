"""Reactions to events from other services, one per message, named for what they do: the one table the consumer
runs (topics derived from it). Handlers never commit; events about an invoice not seen yet are parked and
replayed, through this table, when its InvoiceIssued arrives."""

from __future__ import annotations

from typing import Any

from dispute_svc.app.handlers.when_account_upserted_keep_account import when_account_upserted_keep_account
from dispute_svc.app.handlers.when_adjustment_rejected_reopen_dispute import when_adjustment_rejected_reopen_dispute
from dispute_svc.app.handlers.when_contract_changed_keep_contract import when_contract_changed_keep_contract
from dispute_svc.app.handlers.when_credit_memo_issued_reduce_headroom import when_credit_memo_issued_reduce_headroom
from dispute_svc.app.handlers.when_invoice_balance_changed_keep_balance import (
    when_invoice_balance_changed_keep_balance,
)
from dispute_svc.app.handlers.when_invoice_issued_record_invoice import when_invoice_issued_record_invoice
from dispute_svc.app.handlers.when_invoice_voided_mark_void import when_invoice_voided_mark_void
from dispute_svc.app.handlers.when_product_changed_keep_product import when_product_changed_keep_product
from mediabill_common.consumer import HandlerTable

# Over Any: the handlers take app's DisputeUnit Protocol, which HandlerTable's unit type (bound to common's Unit
# class) cannot name; the consumer runs them over SqlUnit, which implements it.
HANDLERS: HandlerTable[Any] = HandlerTable({
    "InvoiceIssued": when_invoice_issued_record_invoice,
    "InvoiceVoided": when_invoice_voided_mark_void,
    "InvoiceBalanceChanged": when_invoice_balance_changed_keep_balance,
    "CreditMemoIssued": when_credit_memo_issued_reduce_headroom,
    "AdjustmentRejected": when_adjustment_rejected_reopen_dispute,
    "ProductCreated": when_product_changed_keep_product,
    "ProductUpdated": when_product_changed_keep_product,
    "RateCardAdded": when_product_changed_keep_product,
    "ProductActivated": when_product_changed_keep_product,
    "ProductRetired": when_product_changed_keep_product,
    "BillingAccountUpserted": when_account_upserted_keep_account,
    "ContractCreated": when_contract_changed_keep_contract,
    "ContractActivated": when_contract_changed_keep_contract,
    "ContractAmended": when_contract_changed_keep_contract,
    "ContractEnded": when_contract_changed_keep_contract,
})
