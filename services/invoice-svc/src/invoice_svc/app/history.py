"""An invoice's history: one ordered timeline of every change to it, with who made it and when (domain/billing/
history.py builds it from what this service recorded at issue and as it consumed memos, payments and disputes)."""

from __future__ import annotations

from dataclasses import dataclass

from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import Invoice
from invoice_svc.domain.billing.history import HistoryStep as HistoryStep
from invoice_svc.domain.billing.history import Issue, Void, invoice_history
from invoice_svc.domain.errors import RuleViolation, UnknownEntity

UNKNOWN_REQUESTER = "unknown (bill run not found)"


@dataclass(frozen=True)
class InvoiceHistory:
    invoice: Invoice
    steps: list[HistoryStep]


async def history_of(unit: BillingUnit, invoice_id: str) -> InvoiceHistory:
    """The issued (or void) invoice's timeline; a draft has none (409): it is no document yet."""
    invoice = await unit.invoices.get(invoice_id)
    if invoice is None:
        raise UnknownEntity(f"no invoice with id {invoice_id}")
    if invoice.status == "draft" or invoice.invoice_number is None:
        raise RuleViolation(f"invoice {invoice_id} is a draft: it has no history until a bill run issues it")
    run = await unit.bill_runs.get(invoice.bill_run_id)
    issue = Issue(invoice.created_at, invoice.bill_run_id, run.requested_by if run is not None else UNKNOWN_REQUESTER,
                  invoice.invoice_number, invoice.total, invoice.currency)
    void = Void(invoice.voided_at, invoice.voided_by or "", invoice.void_reason or "") \
        if invoice.status == "void" and invoice.voided_at is not None else None
    return InvoiceHistory(invoice, invoice_history(issue, await unit.receivables.recorded_entries(invoice_id), void))
