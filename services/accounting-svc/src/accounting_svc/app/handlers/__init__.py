"""Event handlers of accounting-svc, one per message, named for their reaction, in one registration table."""

from __future__ import annotations

from typing import Any

from accounting_svc.app.handlers.when_balance_changed_post_payment import when_balance_changed_post_payment
from accounting_svc.app.handlers.when_invoice_voided_post_void import when_invoice_voided_post_void
from accounting_svc.app.handlers.when_invoices_issued_post_invoices import when_invoices_issued_post_invoices
from accounting_svc.app.handlers.when_memo_issued_post_memo import when_memo_issued_post_memo
from accounting_svc.app.handlers.when_payment_applied_await_application import (
    when_payment_applied_await_application,
)
from accounting_svc.app.handlers.when_product_changed_keep_product import when_product_changed_keep_product
from mediabill_common.consumer import HandlerTable

# billing.config.v1: products only (a line's channel); accounts and contracts are counted and ignored.
# Typed over Any: HandlerTable's unit is bound to common's Unit class, and the handlers take app.ports.AccountingUnit,
# a Protocol (app/ knows no adapter), which adapters.unit.SqlUnit implements.
HANDLERS: HandlerTable[Any] = HandlerTable({
    "ProductCreated": when_product_changed_keep_product,
    "ProductUpdated": when_product_changed_keep_product,
    "RateCardAdded": when_product_changed_keep_product,
    "ProductActivated": when_product_changed_keep_product,
    "ProductRetired": when_product_changed_keep_product,
    "InvoiceVoided": when_invoice_voided_post_void,
    "InvoiceBalanceChanged": when_balance_changed_post_payment,
    "CreditMemoIssued": when_memo_issued_post_memo,
    "DebitMemoIssued": when_memo_issued_post_memo,
    "PaymentApplied": when_payment_applied_await_application,
}, batch_handlers={"InvoiceIssued": when_invoices_issued_post_invoices})
