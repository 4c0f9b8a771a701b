"""Invoices: read with lines and balance, and void (rule 12)."""

from __future__ import annotations

from dataclasses import dataclass

from invoice_svc.app.assurance_runs import resolve_drift_of_voided
from invoice_svc.app.balances import balance_event
from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import Invoice, Receivable, StoredLine
from invoice_svc.domain.billing.balance import InvoiceBalance, balance_of, void_blockers
from invoice_svc.domain.errors import RuleViolation, UnknownEntity, check_version
from mediabill_common.money import Money


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    lines: list[StoredLine]
    # The balance as kept on the invoice: every change to its entries stores the recomputed figures in the same
    # transaction, so a read need not sum the entries again. None for a draft (not a receivable).
    balance: InvoiceBalance | None


async def invoice_view(unit: BillingUnit, invoice_id: str) -> InvoiceView:
    invoice = await unit.invoices.get(invoice_id)
    if invoice is None:
        raise UnknownEntity(f"no invoice with id {invoice_id}")
    lines = (await unit.invoices.lines_of([invoice_id]))[invoice_id]
    return InvoiceView(invoice, lines, invoice.balance)


async def void_invoice(unit: BillingUnit, invoice_id: str, *, reason: str, actor: str,
                       if_match: str | None) -> InvoiceView:
    """Void an issued invoice on which nothing is paid, credited, debited or disputed (else RuleViolation naming
    what blocks it). Publishes InvoiceVoided and InvoiceBalanceChanged (reason void), and resolves the invoice's
    open invoice_drift; the next issue run of the period bills the group again under a new number."""
    invoice = await unit.invoices.get(invoice_id, for_update=True)
    if invoice is None:
        raise UnknownEntity(f"no invoice with id {invoice_id}")
    check_version(if_match, invoice.version)
    entries = await unit.receivables.entries_of(invoice_id)
    total = Money(invoice.total, invoice.currency)
    blockers = void_blockers(balance_of(total, entries), invoice.status)
    if blockers:
        raise RuleViolation(f"invoice {invoice.invoice_number or invoice_id} cannot be voided (rule 12: only while "
                            f"nothing is paid, credited, debited or disputed): {'; '.join(blockers)}")
    voided = await unit.invoices.mark_void(invoice_id, by=actor, reason=reason)
    await unit.invoices.reopen_adjusted_periods(invoice_id)
    await resolve_drift_of_voided(unit, invoice_id)
    number = voided.invoice_number
    assert number is not None, "void_blockers lets only an issued invoice, which has its number, be voided"
    envelope = await unit.publish("InvoiceVoided", key=voided.bill_to_account_id, subject=invoice_id, data={
        "invoice_id": invoice_id, "invoice_number": number, "bill_to_account_id": voided.bill_to_account_id,
        "reason": reason, "voided_by": actor, "voided_at": voided.voided_at})
    after = balance_of(total, entries, voided=True)
    await unit.receivables.save_balance(invoice_id, after)
    receivable = Receivable(invoice_id, number, voided.bill_to_account_id, Money(voided.total, voided.currency),
                            voided.status)
    await unit.publish("InvoiceBalanceChanged", key=voided.bill_to_account_id, subject=invoice_id,
                       causationid=envelope.id, data=balance_event(receivable, after, "void", envelope.id))
    await unit.record_audit(actor=actor, action="void", entity_type="invoice", entity_id=invoice_id, reason=reason,
                            before={"status": invoice.status}, after={"status": "void", "invoice_number": number})
    lines = (await unit.invoices.lines_of([invoice_id]))[invoice_id]
    reread = await unit.invoices.get(invoice_id)
    assert reread is not None, "the invoice was locked and voided in this transaction"
    return InvoiceView(reread, lines, after)
