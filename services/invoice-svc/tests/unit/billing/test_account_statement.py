"""A statement of account as of a date: open invoices with what is left on each, memos and payments by then, and the
balance due per currency (overdue and disputed beside it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.history import EntryCause, RecordedEntry
from invoice_svc.domain.billing.statement import BilledInvoice, account_statement

D = Decimal


def inv(n: int, issued: str, due: str, total: str, voided: datetime | None = None) -> BilledInvoice:
    return BilledInvoice(f"I{n}", f"INV-2025-{n:08d}", date.fromisoformat(issued), date.fromisoformat(due), "USD",
                         D(total), voided)


def entry(kind: str, entry_id: str, amount: str, day: str, **details: str) -> RecordedEntry:
    at = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    dispute = entry_id if kind.startswith("dispute_") else None
    return RecordedEntry(BalanceEntry(entry_id, kind, D(amount), "USD", at, dispute), True, f"e-{entry_id}",
                         EntryCause("someone", details), at)


INVOICES = [inv(1, "2025-05-01", "2025-05-31", "1000.00"), inv(2, "2025-06-01", "2025-07-01", "300.00"),
            inv(3, "2025-06-01", "2025-07-01", "50.00", voided=datetime(2025, 6, 2, tzinfo=UTC)),
            inv(4, "2025-07-01", "2025-07-31", "999.00")]
ENTRIES = {"I1": [entry("credit_memo", "M1", "40.00", "2025-06-06", memo_number="CM-2025-00000001"),
                  entry("payment", "P1", "500.00", "2025-06-08")],
           "I2": [entry("payment", "P2", "300.00", "2025-06-20"),
                  entry("dispute_opened", "X1", "30.00", "2025-06-05")]}


def test_the_statement_counts_what_happened_by_the_end_of_its_day():
    s = account_statement(date(2025, 6, 7), INVOICES, ENTRIES)
    assert [(o.invoice.invoice_number, o.balance.balance_due.amount, o.days_overdue) for o in s.open_invoices] == [
        ("INV-2025-00000001", D("960.00"), 7), ("INV-2025-00000002", D("300.00"), 0)]
    [totals] = s.totals
    assert (totals.balance_due, totals.overdue, totals.disputed) == (D("1260.00"), D("960.00"), D("30.00"))
    assert [(a.kind, a.reference) for a in s.activity] == [("credit_memo", "CM-2025-00000001")]


def test_paid_and_voided_invoices_are_not_open_and_later_invoices_not_yet_billed():
    s = account_statement(date(2025, 6, 30), INVOICES, ENTRIES)
    assert [o.invoice.invoice_number for o in s.open_invoices] == ["INV-2025-00000001"]
    assert s.totals[0].balance_due == D("460.00")
    assert [a.reference for a in s.activity] == ["CM-2025-00000001", "P1", "P2"]


def test_an_account_with_nothing_billed_by_the_date_has_an_empty_statement():
    s = account_statement(date(2025, 4, 30), INVOICES, ENTRIES)
    assert (s.open_invoices, s.activity, s.totals) == ([], [], [])
