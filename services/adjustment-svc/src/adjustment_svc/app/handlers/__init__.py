"""Event handlers of adjustment-svc, one per message, named for their reaction, in one registration table."""

from __future__ import annotations

from typing import Any

from adjustment_svc.app.handlers.when_account_upserted_keep_account import when_account_upserted_keep_account
from adjustment_svc.app.handlers.when_dispute_opened_hold_lines import when_dispute_opened_hold_lines
from adjustment_svc.app.handlers.when_dispute_reopened_hold_lines import when_dispute_reopened_hold_lines
from adjustment_svc.app.handlers.when_dispute_resolved_request_credit import when_dispute_resolved_request_credit
from adjustment_svc.app.handlers.when_dispute_withdrawn_release_lines import when_dispute_withdrawn_release_lines
from adjustment_svc.app.handlers.when_invoice_issued_record_invoice import when_invoice_issued_record_invoice
from adjustment_svc.app.handlers.when_invoice_voided_close_invoice import when_invoice_voided_close_invoice
from mediabill_common.consumer import HandlerTable

# billing.config.v1: only accounts; products and contracts are not this service's concern (counted and ignored).
# Typed over Any: HandlerTable's unit is bound to common's Unit class, and the handlers take app.ports.AdjustmentUnit,
# a Protocol (app/ knows no adapter), which adapters.unit.SqlUnit implements.
HANDLERS: HandlerTable[Any] = HandlerTable({
    "BillingAccountUpserted": when_account_upserted_keep_account,
    "InvoiceIssued": when_invoice_issued_record_invoice,
    "InvoiceVoided": when_invoice_voided_close_invoice,
    "DisputeOpened": when_dispute_opened_hold_lines,
    "DisputeResolved": when_dispute_resolved_request_credit,
    "DisputeWithdrawn": when_dispute_withdrawn_release_lines,
    "DisputeReopened": when_dispute_reopened_hold_lines,
})
