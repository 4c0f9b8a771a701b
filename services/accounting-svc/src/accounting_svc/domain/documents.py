"""The documents accounting-svc posts, as plain values: invoices, memos, payments and unbilled snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DocumentLine:
    """An invoice line with what decides its account: its kind (and for a prior-period line the kind it adjusts),
    its product's revenue account and its tax code. Amounts are signed as on the invoice."""

    invoice_line_id: str
    kind: str
    amount: Decimal
    product_code: str | None = None
    gl_revenue_account: str | None = None
    tax_code: str | None = None
    adjusts_kind: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_id: str
    invoice_number: str
    account_id: str
    bill_to_account_id: str
    contract_id: str | None
    period: str
    issue_date: date
    currency: str
    total: Decimal
    lines: tuple[DocumentLine, ...]

    def line(self, invoice_line_id: str | None) -> DocumentLine | None:
        return next((line for line in self.lines if line.invoice_line_id == invoice_line_id), None)


@dataclass(frozen=True)
class MemoLine:
    """A memo line, signed as the change to the invoice line it names (adjustment-svc, rule 21)."""

    invoice_line_id: str | None
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class MemoDocument:
    memo_id: str
    memo_number: str
    kind: str  # credit | debit
    invoice_id: str
    issue_date: date
    currency: str
    total: Decimal
    lines: tuple[MemoLine, ...]


@dataclass(frozen=True)
class UnbilledLine:
    """One group of an unbilled snapshot (C9): delivered or earned, not invoiced, priced without tax. Discount and
    commission are signed as on an invoice (negative)."""

    bill_to_account_id: str | None
    account_id: str | None
    contract_id: str | None
    product_code: str | None
    gl_revenue_account: str | None
    currency: str
    gross: Decimal
    discount: Decimal
    commission: Decimal
