"""Reactions to events from other services, one per message, named for what they do: the one registration table."""

from typing import Any

from mediabill_common.consumer import HandlerTable
from product_config_svc.app.handlers.when_invoice_issued_mark_period_invoiced import (
    when_invoice_issued_mark_period_invoiced,
)
from product_config_svc.app.handlers.when_invoice_voided_free_period import when_invoice_voided_free_period

# Typed over Any: HandlerTable's unit is bound to common's Unit class, and the handlers take InvoicedPeriodsUnit, a
# Protocol (app/ knows no adapter); adapters/unit.py has mypy check that SqlUnit implements it.
HANDLERS: HandlerTable[Any] = HandlerTable({
    "InvoiceIssued": when_invoice_issued_mark_period_invoiced,
    "InvoiceVoided": when_invoice_voided_free_period,
})
