"""Use case: the final approval issues the memo, numbered gaplessly, in the approving transaction."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from adjustment_svc.app.errors import InvoiceNotAdjustable
from adjustment_svc.app.ports import (
    AccountView,
    AdjustmentUnit,
    MemoFacts,
    MemoLineRef,
    MemoRecord,
    StoredMemoDocument,
)
from adjustment_svc.domain.adjustment import APPROVED, AdjustmentRequest, InvoiceView
from adjustment_svc.domain.approval import POLICY_APPROVER, ApprovalLevel
from adjustment_svc.domain.numbering import format_memo_number, memo_series
from mediabill_common.events.catalog import MemoIssued, MemoLine
from mediabill_common.money import round_money

EVENT_TYPE = {"credit": "CreditMemoIssued", "debit": "DebitMemoIssued"}


def _memo_record(adj: AdjustmentRequest, invoice: InvoiceView, number: str, now: datetime) -> MemoRecord:
    approved_by = ([POLICY_APPROVER] if adj.approval_level is ApprovalLevel.POLICY
                   else [a.approver for a in adj.approvals])
    lines = [{"invoice_line_id": x.invoice_line_id, "kind": x.kind,
              "amount": format(round_money(x.amount, adj.currency), "f"), "description": x.description}
             for x in adj.lines]
    return MemoRecord(
        memo_id=str(uuid.uuid4()), memo_number=number, adjustment_id=adj.adjustment_id, kind=adj.kind,
        invoice_id=invoice.invoice_id, invoice_number=invoice.invoice_number,
        bill_to_account_id=invoice.bill_to_account_id, dispute_id=adj.dispute_id,
        total=adj.total.rounded(), reason_code=adj.reason_code, requested_by=adj.requested_by,
        approved_by=approved_by, lines=lines, issued_at=now)


def memo_payload(memo: MemoRecord, root_cause: str | None = None) -> MemoIssued:
    """The CreditMemoIssued / DebitMemoIssued payload of an issued memo, with its request's root cause."""
    return MemoIssued(
        memo_id=memo.memo_id, memo_number=memo.memo_number, adjustment_id=memo.adjustment_id,
        invoice_id=memo.invoice_id, invoice_number=memo.invoice_number,
        bill_to_account_id=memo.bill_to_account_id, dispute_id=memo.dispute_id,
        lines=[MemoLine.model_validate(x) for x in memo.lines], total=memo.total.amount, currency=memo.currency,
        reason_code=memo.reason_code, requested_by=memo.requested_by, approved_by=memo.approved_by,
        issued_at=memo.issued_at, root_cause=root_cause)


def memo_facts(invoice: InvoiceView, account: AccountView | None) -> MemoFacts:
    """What the memo's document prints about the bill-to and the invoice (an account not yet received here is
    named by its id)."""
    state = account.state if account is not None else {}
    return MemoFacts(
        bill_to_name=account.legal_name if account is not None else invoice.bill_to_account_id,
        bill_to_address=state.get("postal_address"), bill_to_tax_registration_id=state.get("tax_registration_id"),
        contract_id=invoice.contract_id, po_number=invoice.po_number,
        lines={ln.invoice_line_id: MemoLineRef(i, ln.kind, ln.description)
               for i, ln in enumerate(invoice.lines, start=1)})


async def issue_memo(unit: AdjustmentUnit, adj: AdjustmentRequest, invoice: InvoiceView, now: datetime) -> MemoRecord:
    """Number and store the memo, book it on the invoice lines, approve the request, publish the event."""
    if invoice.status == "void":
        raise InvoiceNotAdjustable(f"invoice {invoice.invoice_number} was voided after this request was made; "
                                   "reject the request instead")
    sequence = await unit.memos.next_number(memo_series(adj.kind), now.year)
    memo = _memo_record(adj, invoice, format_memo_number(adj.kind, now.year, sequence), now)
    await unit.memos.add(memo)
    # The document is rendered now, in the issuing transaction, and never again (memos are few).
    account = await unit.accounts.get(invoice.bill_to_account_id)
    await unit.memo_documents.keep(memo, memo_facts(invoice, account))
    await unit.invoices.apply_memo(invoice.invoice_id, adj.kind, adj.lines)
    await unit.adjustments.mark_approved(adj.adjustment_id, decided_at=now, memo_id=memo.memo_id)
    await unit.publish(EVENT_TYPE[adj.kind], key=invoice.bill_to_account_id, subject=memo.memo_id,
                       data=memo_payload(memo, adj.root_cause))
    approved = replace(adj, status=APPROVED, memo_id=memo.memo_id, decided_at=now)
    await unit.record_audit(actor=memo.approved_by[-1], action="memo.issued", entity_type="memo",
                            entity_id=memo.memo_id, reason=adj.note,
                            after={"memo_number": memo.memo_number, "adjustment_id": adj.adjustment_id,
                                   "invoice_id": invoice.invoice_id, "total": format(memo.total.amount, "f"),
                                   "currency": memo.currency, "kind": adj.kind, "approved_by": memo.approved_by,
                                   "status": approved.status})
    return memo


async def memo_document(unit: AdjustmentUnit, memo: MemoRecord) -> StoredMemoDocument:
    """The memo's stored document; one issued before documents were stored is rendered from the read models and
    kept now, on its first read (the unit must be able to write)."""
    stored = await unit.memo_documents.get(memo.memo_id)
    if stored is not None:
        return stored
    invoice = await unit.invoices.get(memo.invoice_id)
    assert invoice is not None, "a memo's invoice is in the read model before the memo is issued"
    return await unit.memo_documents.keep(memo, memo_facts(invoice, await unit.accounts.get(memo.bill_to_account_id)))
