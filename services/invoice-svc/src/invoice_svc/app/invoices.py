"""Invoices: read with lines and balance, the PDF document, and void (rule 12)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters import invoice_repository as repo
from invoice_svc.app.balances import balance_event
from invoice_svc.app.ports import InvoiceUnit, Receivable
from invoice_svc.domain.billing.balance import InvoiceBalance, balance_of, stored_balance, void_blockers
from invoice_svc.domain.errors import RuleViolation, UnknownEntity, check_version


@dataclass(frozen=True)
class InvoiceView:
    invoice: Any
    lines: list[Any]
    balance: InvoiceBalance | None  # None for a draft (not a receivable)


async def invoice_view(session: AsyncSession, invoice_id: str) -> InvoiceView:
    invoice = await repo.get_invoice(session, invoice_id)
    if invoice is None:
        raise UnknownEntity(f"no invoice with id {invoice_id}")
    lines = (await repo.lines_of(session, [invoice_id]))[invoice_id]
    return InvoiceView(invoice, lines, await _balance(session, invoice))


async def _balance(session: AsyncSession, invoice: Any) -> InvoiceBalance | None:
    """The balance as stored on the invoice row: every change to its entries stores the recomputed figures in the
    same transaction (`save_balance`), and lists already show them, so a read need not sum the entries again."""
    if invoice["status"] == "draft":
        return None
    return stored_balance(invoice)


async def void_invoice(session: AsyncSession, unit: InvoiceUnit, invoice_id: str, *, reason: str, actor: str,
                       if_match: str | None) -> InvoiceView:
    """Void an issued invoice on which nothing is paid, credited, debited or disputed (else 409 naming what
    blocks it). Publishes InvoiceVoided and InvoiceBalanceChanged (reason void); the next issue run of the
    period bills the group again under a new number."""
    invoice = await repo.get_invoice(session, invoice_id, for_update=True)
    if invoice is None:
        raise UnknownEntity(f"no invoice with id {invoice_id}")
    check_version(if_match, invoice["version"])
    entries = await unit.receivables.entries_of(invoice_id)
    balance = balance_of(invoice["total"], invoice["currency"], entries)
    blockers = void_blockers(balance, invoice["status"])
    if blockers:
        raise RuleViolation(f"invoice {invoice['invoice_number'] or invoice_id} cannot be voided (rule 12: only while "
                       f"nothing is paid, credited, debited or disputed): {'; '.join(blockers)}")
    voided = await repo.mark_void(session, invoice_id, by=actor, reason=reason)
    await repo.reopen_adjusted_periods(session, invoice_id)
    envelope = await unit.publish("InvoiceVoided", key=voided["bill_to_account_id"], subject=invoice_id,
                                         data={"invoice_id": invoice_id, "invoice_number": voided["invoice_number"],
                                               "bill_to_account_id": voided["bill_to_account_id"], "reason": reason,
                                               "voided_by": actor, "voided_at": voided["voided_at"]})
    after = balance_of(invoice["total"], invoice["currency"], entries, voided=True)
    await unit.receivables.save_balance(invoice_id, after)
    receivable = Receivable(invoice_id, voided["invoice_number"], voided["bill_to_account_id"], voided["currency"],
                            voided["total"], voided["status"])
    await unit.publish("InvoiceBalanceChanged", key=voided["bill_to_account_id"], subject=invoice_id,
                              causationid=envelope.id, data=balance_event(receivable, after, "void", envelope.id))
    await unit.record_audit(actor=actor, action="void", entity_type="invoice", entity_id=invoice_id,
                                reason=reason, before={"status": invoice["status"]},
                                after={"status": "void", "invoice_number": voided["invoice_number"]})
    lines = (await repo.lines_of(session, [invoice_id]))[invoice_id]
    return InvoiceView(await repo.get_invoice(session, invoice_id), lines, after)
