"""Posting rules C2–C5 and the accrual of C11: which accounts each document moves, as balanced entries.

Every function takes the receivable state of the invoice before the document (domain.receivable) and returns the
entry with the state after it; the caller stores both in one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounting_svc.domain.chart import ChartOfAccounts
from accounting_svc.domain.documents import DocumentLine, InvoiceDocument, MemoDocument, UnbilledLine
from accounting_svc.domain.journal import Dimensions, EntryBuilder, EntryLine, JournalEntry, reversal_lines
from accounting_svc.domain.periods import first_day, last_day, next_period
from accounting_svc.domain.receivable import Receivable, post_receivable_change
from mediabill_common.money import Money

REVENUE_KINDS = frozenset({"usage", "flat_fee"})


def line_account(line: DocumentLine, chart: ChartOfAccounts, kind: str | None = None) -> str | None:
    """The account an invoice line posts to (C2); None for an over-delivery line, which posts nothing. A
    prior-period line posts to the account of the kind it adjusts (usage when the producer did not say)."""
    kind = kind or line.kind
    if kind == "prior_period_adjustment":
        kind = line.adjusts_kind or "usage"
    if kind in REVENUE_KINDS:
        return chart.revenue_account(line.gl_revenue_account)
    if kind == "discount":
        return chart.discount
    if kind == "agency_commission":
        return chart.agency_commission
    if kind == "tax":
        return chart.tax_account(line.tax_code)
    return None


def invoice_dimensions(invoice: InvoiceDocument, line: DocumentLine | None = None) -> Dimensions:
    return Dimensions(bill_to_account_id=invoice.bill_to_account_id, account_id=invoice.account_id,
                      contract_id=invoice.contract_id, product_code=line.product_code if line else None,
                      channel=line.channel if line else None, service_period=invoice.period,
                      tax_code=line.tax_code if line else None)


def invoice_entry(invoice: InvoiceDocument, before: Receivable, chart: ChartOfAccounts, *, posting_period: str,
                  posting_date: date) -> tuple[JournalEntry, Receivable]:
    """InvoiceIssued (C2, C4): Cr each line's account with its signed amount, Dr receivable with the total."""
    builder = EntryBuilder()
    for line in invoice.lines:
        account = line_account(line, chart)
        if account is not None:
            builder.credit(account, Money(line.amount, invoice.currency), invoice_dimensions(invoice, line))
    after = before.issued(invoice.total)
    post_receivable_change(builder, before, after, chart, invoice_dimensions(invoice))
    original = invoice.period if posting_period != invoice.period else None
    return builder.entry(source_type="invoice", source_id=invoice.invoice_id, document_number=invoice.invoice_number,
                         posting_date=posting_date, posting_period=posting_period,
                         original_period=original), after


def memo_entry(memo: MemoDocument, invoice: InvoiceDocument, before: Receivable, chart: ChartOfAccounts, *,
               posting_period: str, posting_date: date) -> tuple[JournalEntry, Receivable]:
    """CreditMemoIssued / DebitMemoIssued (C3, C4): the memo's lines on the accounts of the invoice lines they
    name, the opposite way for a credit memo, and the receivable change of its total."""
    builder = EntryBuilder()
    sign = Decimal(-1) if memo.kind == "credit" else Decimal(1)
    for memo_line in memo.lines:
        named = invoice.line(memo_line.invoice_line_id) or DocumentLine("", memo_line.kind, Decimal(0))
        kind = named.kind if named.invoice_line_id else memo_line.kind
        account = line_account(named, chart, kind)
        if account is not None:
            builder.credit(account, Money(sign * memo_line.amount, memo.currency), invoice_dimensions(invoice, named))
    after = before.credit(memo.total) if memo.kind == "credit" else before.debit(memo.total)
    post_receivable_change(builder, before, after, chart, invoice_dimensions(invoice))
    return builder.entry(source_type=f"{memo.kind}_memo", source_id=memo.memo_id, document_number=memo.memo_number,
                         posting_date=posting_date, posting_period=posting_period,
                         original_period=invoice.period), after


def payment_entry(invoice: InvoiceDocument, before: Receivable, paid: Decimal, chart: ChartOfAccounts, *,
                  source_id: str, posting_period: str, posting_date: date) -> tuple[JournalEntry, Receivable]:
    """A payment invoice-svc applied (C4): Dr cash clearing by the change in `paid`, and the receivable change."""
    builder = EntryBuilder()
    dims = invoice_dimensions(invoice)
    builder.debit(chart.cash_clearing, Money(paid, invoice.currency), dims)
    after = before.pay(paid)
    post_receivable_change(builder, before, after, chart, dims)
    return builder.entry(source_type="payment", source_id=source_id, document_number=invoice.invoice_number,
                         posting_date=posting_date, posting_period=posting_period), after


def unapplied_payment_entry(payment_id: str, amount: Money, bill_to_account_id: str, chart: ChartOfAccounts, *,
                            posting_period: str, posting_date: date, released: bool = False) -> JournalEntry:
    """A payment invoice-svc did not apply within the wait (C4): Dr cash clearing, Cr unapplied cash, so the bank
    side still ties. `released` posts the opposite, when invoice-svc applies it after all."""
    builder = EntryBuilder()
    dims = Dimensions(bill_to_account_id=bill_to_account_id)
    sign = -1 if released else 1
    builder.debit(chart.cash_clearing, amount * sign, dims).credit(chart.unapplied_cash, amount * sign, dims)
    source_id = f"{payment_id}:released" if released else payment_id
    return builder.entry(source_type="unapplied_payment", source_id=source_id, document_number=payment_id,
                         posting_date=posting_date, posting_period=posting_period)


def void_entry(invoice: InvoiceDocument, invoice_posting: JournalEntry, before: Receivable,
               chart: ChartOfAccounts, *, posting_period: str, posting_date: date) -> tuple[JournalEntry, Receivable]:
    """InvoiceVoided (C5): the reversal of the invoice's revenue lines and the receivable back to nothing owed —
    the exact reversal of the invoice's entry, as a void is allowed only while nothing was paid or adjusted."""
    builder = EntryBuilder()
    receivable_accounts = {chart.receivable, chart.customer_credits}
    for line in reversal_lines(invoice_posting):
        if line.account not in receivable_accounts:
            builder.debit(line.account, line.net_debit, line.dimensions)
    after = before.void()
    post_receivable_change(builder, before, after, chart, invoice_dimensions(invoice))
    return builder.entry(source_type="void", source_id=invoice.invoice_id, document_number=invoice.invoice_number,
                         posting_date=posting_date, posting_period=posting_period,
                         original_period=invoice.period, reverses_entry_id=invoice_posting.entry_id), after


def accrual_builder(lines: list[UnbilledLine], period: str, chart: ChartOfAccounts) -> EntryBuilder:
    """The accrual of an unbilled snapshot (C11): Cr revenue per GL account with the gross, the discount and
    commission (negative) on their accounts, Dr unbilled receivable with the net."""
    builder = EntryBuilder()
    for line in lines:
        dims = Dimensions(bill_to_account_id=line.bill_to_account_id, account_id=line.account_id,
                          contract_id=line.contract_id, product_code=line.product_code, service_period=period)
        builder.credit(chart.revenue_account(line.gl_revenue_account), Money(line.gross, line.currency), dims)
        builder.credit(chart.discount, Money(line.discount, line.currency), dims)
        builder.credit(chart.agency_commission, Money(line.commission, line.currency), dims)
        builder.debit(chart.unbilled_receivable, Money(line.gross + line.discount + line.commission, line.currency),
                      Dimensions(bill_to_account_id=line.bill_to_account_id, contract_id=line.contract_id,
                                 service_period=period))
    return builder


def accrual_entries(lines: list[UnbilledLine], already_accrued: tuple[EntryLine, ...], period: str,
                    chart: ChartOfAccounts, *, close_number: int) -> tuple[JournalEntry, JournalEntry] | None:
    """The accrual of `period` dated its last day and its reversal dated the next period's first day (C11). A
    re-close after a reopen posts only the difference from what the period's earlier accruals already posted;
    None when there is none."""
    builder = accrual_builder(lines, period, chart)
    for line in already_accrued:
        builder.debit(line.account, -line.net_debit, line.dimensions)
    if not builder.lines():
        return None
    source_id = f"{period}#{close_number}"
    accrual = builder.entry(source_type="accrual", source_id=source_id, document_number=None,
                            posting_date=last_day(period), posting_period=period)
    reversal = EntryBuilder()
    for line in reversal_lines(accrual):
        reversal.debit(line.account, line.net_debit, line.dimensions)
    following = next_period(period)
    return accrual, reversal.entry(source_type="accrual_reversal", source_id=source_id, document_number=None,
                                   posting_date=first_day(following), posting_period=following,
                                   original_period=period, reverses_entry_id=accrual.entry_id)
