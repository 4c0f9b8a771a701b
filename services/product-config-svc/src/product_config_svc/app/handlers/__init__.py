"""Reactions to events from other services, one per message, named for what they do: the one registration table."""

from mediabill_common.consumer import HandlerTable
from product_config_svc.app.handlers.when_invoice_issued_mark_period_invoiced import (
    when_invoice_issued_mark_period_invoiced,
)
from product_config_svc.app.handlers.when_invoice_voided_free_period import when_invoice_voided_free_period
from product_config_svc.app.ports import InvoicedPeriodsUnit

HANDLERS: HandlerTable[InvoicedPeriodsUnit] = HandlerTable({
    "InvoiceIssued": when_invoice_issued_mark_period_invoiced,
    "InvoiceVoided": when_invoice_voided_free_period,
})
