"""A statement of account: what a bill-to account owes as of a date, the open invoices, and the memos and payments
that moved their balances.

Issued invoices never change; the amount due lives here. Each invoice's balance as of the date is `balance_of` over
the entries that happened by the end of that day (UTC), so a statement as of an earlier date shows what was owed
then. An invoice voided by that day is owed no more and is not listed as open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from invoice_svc.domain.billing.balance import InvoiceBalance, balance_of
from invoice_svc.domain.billing.history import RecordedEntry
from mediabill_common.money import Money

ACTIVITY_KINDS = ("credit_memo", "debit_memo", "payment")


@dataclass(frozen=True)
class BilledInvoice:
    """An issued (or since voided) invoice of the account, as the statement needs it."""

    invoice_id: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    total: Decimal
    voided_at: datetime | None


@dataclass(frozen=True)
class OpenInvoice:
    invoice: BilledInvoice
    balance: InvoiceBalance
    days_overdue: int  # 0 when not yet due


@dataclass(frozen=True)
class Activity:
    """A memo or payment on one of the account's invoices, by the statement's date."""

    at: datetime
    kind: str
    reference: str  # memo number (memo id for one recorded before numbers were kept) or payment id
    invoice_number: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    balance_due: Decimal
    overdue: Decimal
    disputed: Decimal
    overpaid: Decimal  # credit the account holds (paid beyond what was due)


@dataclass(frozen=True)
class AccountStatement:
    as_of: date
    open_invoices: list[OpenInvoice]
    activity: list[Activity]
    totals: list[CurrencyTotals]


def cutoff_of(as_of: date) -> datetime:
    """The first instant after the statement's day (UTC): what happened before it is on the statement."""
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def account_statement(as_of: date, invoices: Sequence[BilledInvoice],
                      entries: Mapping[str, Sequence[RecordedEntry]]) -> AccountStatement:
    """The statement as of `as_of` from the account's invoices issued by then and their entries (any: those after
    the day are left out here)."""
    cutoff = cutoff_of(as_of)
    open_invoices: list[OpenInvoice] = []
    activity: list[Activity] = []
    totals: dict[str, list[Decimal]] = {}
    for invoice in sorted(invoices, key=lambda i: (i.issue_date, i.invoice_number)):
        if invoice.issue_date > as_of:
            continue
        happened = [r for r in entries.get(invoice.invoice_id, ()) if r.entry.at < cutoff]
        voided = invoice.voided_at is not None and invoice.voided_at < cutoff
        balance = balance_of(Money(invoice.total, invoice.currency), [r.entry for r in happened], voided=voided)
        activity.extend(_activity(invoice, happened))
        overdue = max((as_of - invoice.due_date).days, 0)
        sums = totals.setdefault(invoice.currency, [Decimal(0)] * 4)
        sums[3] += balance.overpaid.amount
        if balance.balance_due.is_positive() and not voided:
            open_invoices.append(OpenInvoice(invoice, balance, overdue))
            sums[0] += balance.balance_due.amount
            sums[1] += balance.balance_due.amount if overdue else Decimal(0)
            sums[2] += balance.disputed_amount.amount
    return AccountStatement(as_of, open_invoices, sorted(activity, key=lambda a: (a.at, a.reference)),
                            [CurrencyTotals(c, *v) for c, v in sorted(totals.items())])


def _activity(invoice: BilledInvoice, happened: Sequence[RecordedEntry]) -> list[Activity]:
    out = []
    for r in happened:
        if r.entry.kind not in ACTIVITY_KINDS or not r.applied:
            continue
        details = r.cause.details if r.cause is not None else {}
        reference = str(details.get("memo_number") or r.entry.entry_id)
        out.append(Activity(r.entry.at, r.entry.kind, reference, invoice.invoice_number, r.entry.amount,
                            r.entry.currency))
    return out
