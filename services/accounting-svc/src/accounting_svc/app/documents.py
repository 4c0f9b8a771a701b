"""The events' payloads as the domain's documents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from accounting_svc.domain.documents import DocumentLine, InvoiceDocument, MemoDocument, MemoLine
from mediabill_common.events.catalog import InvoiceIssued, MemoIssued


def invoice_document(invoice: InvoiceIssued, channels: Mapping[str, str | None]) -> InvoiceDocument:
    """An InvoiceIssued as a document; `channels` maps product codes to their channel (a dimension, C1)."""
    return InvoiceDocument(
        invoice_id=invoice.invoice_id, invoice_number=invoice.invoice_number, account_id=invoice.account_id,
        bill_to_account_id=invoice.bill_to_account_id, contract_id=invoice.contract_id, period=invoice.period,
        issue_date=invoice.issue_date, currency=invoice.currency, total=invoice.total,
        lines=tuple(DocumentLine(
            invoice_line_id=line.invoice_line_id, kind=line.kind, amount=line.amount, product_code=line.product_code,
            gl_revenue_account=line.gl_revenue_account, tax_code=line.tax_code,
            # close.md C2: invoice-svc adds adjusts_kind to prior-period lines (an optional field).
            adjusts_kind=getattr(line, "adjusts_kind", None),
            channel=channels.get(line.product_code) if line.product_code else None) for line in invoice.lines))


def memo_document(memo: MemoIssued, kind: str, issue_date: date) -> MemoDocument:
    """A CreditMemoIssued (`kind` credit) or DebitMemoIssued (debit) as a document dated `issue_date`."""
    return MemoDocument(memo_id=memo.memo_id, memo_number=memo.memo_number, kind=kind, invoice_id=memo.invoice_id,
                        issue_date=issue_date, currency=memo.currency, total=memo.total,
                        lines=tuple(MemoLine(line.invoice_line_id, line.kind, line.amount) for line in memo.lines))
