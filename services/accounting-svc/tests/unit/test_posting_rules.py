"""Posting rules C2–C5 for every document kind, on plain values (close.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounting_svc.domain.chart import DEFAULT_CHART, ChartOfAccounts
from accounting_svc.domain.documents import DocumentLine, InvoiceDocument, MemoDocument, MemoLine, UnbilledLine
from accounting_svc.domain.errors import InvalidChart, UnbalancedEntry
from accounting_svc.domain.journal import JournalEntry
from accounting_svc.domain.postings import (
    accrual_entries,
    invoice_entry,
    memo_entry,
    payment_entry,
    unapplied_payment_entry,
    void_entry,
)
from accounting_svc.domain.receivable import Receivable

D = Decimal
CHART = ChartOfAccounts(tax_payable_by_code={"VAT": "2210"})
AT = {"posting_period": "2026-11", "posting_date": date(2026, 11, 30)}


def net(entry: JournalEntry) -> dict[str, Decimal]:
    """Debit-positive balance per account the entry moves."""
    out: dict[str, Decimal] = {}
    for line in entry.lines:
        out[line.account] = out.get(line.account, D(0)) + line.net_debit.amount
    return {a: v for a, v in out.items() if v}


def invoice(lines: list[DocumentLine], invoice_id: str = "I1") -> InvoiceDocument:
    total = sum((line.amount for line in lines), D(0))
    return InvoiceDocument(invoice_id, f"INV-{invoice_id}", "ADV-1", "AG-1", "IO-7", "2026-11", date(2026, 12, 1),
                           "USD", total, tuple(lines))


WORKED = invoice([
    DocumentLine("L1", "usage", D("2000.00"), "DISPLAY", "4010"),
    DocumentLine("OD", "over_delivery", D("0.00"), "DISPLAY", "4010"),
    DocumentLine("D", "discount", D("-100.00")),
    DocumentLine("C", "agency_commission", D("-285.00")),
    DocumentLine("T", "tax", D("323.00"), tax_code="VAT"),
])


def test_invoice_credits_revenue_debits_discount_and_commission_and_owes_the_total():
    entry, after = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    assert entry.is_balanced()
    assert net(entry) == {"4010": D("-2000.00"), "4900": D("100.00"), "4910": D("285.00"), "2210": D("-323.00"),
                          "1200": D("1938.00")}
    assert after.receivable.amount == D("1938.00") and after.customer_credit.amount == 0
    assert entry.source_type == "invoice" and entry.original_period is None


def test_over_delivery_line_posts_nothing():
    entry, _ = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    assert not [line for line in entry.lines if line.dimensions.product_code == "DISPLAY" and line.account != "4010"]
    assert len([line for line in entry.lines if line.account == "4010"]) == 1


@pytest.mark.parametrize(("adjusts", "amount", "account", "extra"), [
    ("usage", "150.00", "4010", {}), ("usage", "-150.00", "4010", {}),
    ("flat_fee", "80.00", "4010", {}), ("discount", "-7.50", "4900", {}), ("discount", "7.50", "4900", {}),
    ("agency_commission", "-22.50", "4910", {}), ("agency_commission", "22.50", "4910", {}),
    ("tax", "12.00", "2210", {"tax_code": "VAT"}), ("tax", "-12.00", "2200", {"tax_code": "GST"}),
])
def test_prior_period_line_posts_to_the_account_of_the_kind_it_adjusts(adjusts, amount, account, extra):
    doc = invoice([DocumentLine("L1", "usage", D("1000.00"), "DISPLAY", "4010"),
                   DocumentLine("P1", "prior_period_adjustment", D(amount), "DISPLAY", "4010",
                                adjusts_kind=adjusts, **extra)])
    entry, after = invoice_entry(doc, Receivable("USD"), CHART, **AT)
    assert entry.is_balanced()
    moved = net(entry)
    expected_revenue = D("-1000.00") - (D(amount) if account == "4010" else 0)
    assert moved["4010"] == expected_revenue
    if account != "4010":
        assert moved[account] == -D(amount)  # credit-normal: a negative adjustment is a debit
    assert moved["1200"] == doc.total == after.net


def test_invoice_line_without_revenue_account_uses_the_default_revenue_account():
    doc = invoice([DocumentLine("L1", "usage", D("10.00"))])
    entry, _ = invoice_entry(doc, Receivable("USD"), CHART, **AT)
    assert net(entry) == {"4000": D("-10.00"), "1200": D("10.00")}


def test_commission_booked_as_expense_goes_to_the_mapped_account():
    chart = CHART.with_changes(agency_commission="6100", commission_treatment="expense")
    entry, _ = invoice_entry(WORKED, Receivable("USD"), chart, **AT)
    assert net(entry)["6100"] == D("285.00")
    assert chart.contra_accounts() == frozenset({"4900"})


def credit_memo(memo_id: str, lines: list[tuple[str | None, str, str]], kind: str = "credit") -> MemoDocument:
    total = sum((D(a) for _, _, a in lines), D(0))
    return MemoDocument(memo_id, f"M-{memo_id}", kind, "I1", date(2026, 12, 5), "USD", total,
                        tuple(MemoLine(lid, k, D(a)) for lid, k, a in lines))


CREDIT = credit_memo("M1", [("L1", "usage", "200.00"), ("D", "discount", "-10.00"),
                            ("C", "agency_commission", "-28.50"), ("T", "tax", "32.30")])


def test_credit_memo_on_an_unpaid_invoice_reverses_revenue_and_reduces_receivable():
    _, issued = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    entry, after = memo_entry(CREDIT, WORKED, issued, CHART, **AT)
    assert entry.is_balanced() and entry.source_type == "credit_memo"
    assert net(entry) == {"4010": D("200.00"), "4900": D("-10.00"), "4910": D("-28.50"), "2210": D("32.30"),
                          "1200": D("-193.80")}
    assert after.receivable.amount == D("1744.20")


def test_credit_memo_on_a_paid_invoice_becomes_a_customer_credit():
    _, issued = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    _, paid = payment_entry(WORKED, issued, D("1938.00"), CHART, source_id="p", **AT)
    entry, after = memo_entry(CREDIT, WORKED, paid, CHART, **AT)
    assert net(entry)["2150"] == D("-193.80") and "1200" not in net(entry)
    assert after.customer_credit.amount == D("193.80") and after.receivable.amount == 0


def test_debit_memo_after_a_credit_on_a_paid_invoice_uses_up_the_credit_first():
    _, issued = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    _, paid = payment_entry(WORKED, issued, D("1938.00"), CHART, source_id="p", **AT)
    _, credited = memo_entry(CREDIT, WORKED, paid, CHART, **AT)
    debit = credit_memo("M2", [("L1", "usage", "300.00"), ("D", "discount", "-15.00")], kind="debit")
    entry, after = memo_entry(debit, WORKED, credited, CHART, **AT)
    assert entry.source_type == "debit_memo" and entry.is_balanced()
    assert net(entry) == {"4010": D("-300.00"), "4900": D("15.00"), "2150": D("193.80"), "1200": D("91.20")}
    assert after.receivable.amount == D("91.20") and after.customer_credit.amount == 0


def test_overpayment_moves_the_excess_to_customer_credits():
    _, issued = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    entry, after = payment_entry(WORKED, issued, D("2000.00"), CHART, source_id="p", **AT)
    assert net(entry) == {"1010": D("2000.00"), "1200": D("-1938.00"), "2150": D("-62.00")}
    assert after.customer_credit.amount == D("62.00")


def test_void_is_the_exact_reversal_of_the_invoice_entry():
    posted, issued = invoice_entry(WORKED, Receivable("USD"), CHART, **AT)
    entry, after = void_entry(WORKED, posted, issued, CHART, posting_period="2026-12",
                              posting_date=date(2026, 12, 3))
    assert net(entry) == {a: -v for a, v in net(posted).items()}
    assert entry.reverses_entry_id == posted.entry_id and after.receivable.amount == 0


def test_unapplied_payment_and_its_release_cancel_out():
    amount = Receivable("USD").issued(D("50.00")).receivable
    held = unapplied_payment_entry("PAY-1", amount, "AG-1", CHART, **AT)
    released = unapplied_payment_entry("PAY-1", amount, "AG-1", CHART, released=True, **AT)
    assert net(held) == {"1010": D("50.00"), "2160": D("-50.00")}
    assert net(released) == {"1010": D("-50.00"), "2160": D("50.00")}
    assert held.entry_id != released.entry_id


def test_an_invoice_whose_lines_do_not_add_up_to_its_total_is_refused():
    doc = InvoiceDocument("I9", "INV-9", "A", "B", None, "2026-11", date(2026, 12, 1), "USD", D("10.00"),
                          (DocumentLine("L1", "usage", D("9.99")),))
    with pytest.raises(UnbalancedEntry):
        invoice_entry(doc, Receivable("USD"), CHART, **AT)


def test_accrual_posts_gross_contra_and_unbilled_receivable_and_reverses_next_month():
    lines = [UnbilledLine("AG-1", "ADV-1", "IO-7", "DISPLAY", "4010", "USD", D("1000.00"), D("-50.00"),
                          D("-142.50"))]
    accrual, reversal = accrual_entries(lines, (), "2026-11", DEFAULT_CHART, close_number=1)
    assert net(accrual) == {"4010": D("-1000.00"), "4900": D("50.00"), "4910": D("142.50"), "1210": D("807.50")}
    assert accrual.posting_date == date(2026, 11, 30) and accrual.posting_period == "2026-11"
    assert net(reversal) == {a: -v for a, v in net(accrual).items()}
    assert reversal.posting_date == date(2026, 12, 1) and reversal.posting_period == "2026-12"


def test_reclose_posts_only_the_difference_from_the_accrual_already_posted():
    first = [UnbilledLine("AG-1", "ADV-1", "IO-7", "DISPLAY", "4010", "USD", D("1000.00"), D("0"), D("0"))]
    accrual, _ = accrual_entries(first, (), "2026-11", DEFAULT_CHART, close_number=1)
    second = [UnbilledLine("AG-1", "ADV-1", "IO-7", "DISPLAY", "4010", "USD", D("1200.00"), D("0"), D("0"))]
    again, _ = accrual_entries(second, accrual.lines, "2026-11", DEFAULT_CHART, close_number=2)
    assert net(again) == {"4010": D("-200.00"), "1210": D("200.00")}
    assert accrual_entries(first, accrual.lines, "2026-11", DEFAULT_CHART, close_number=2) is None


def test_a_chart_with_an_empty_account_is_refused():
    with pytest.raises(InvalidChart):
        ChartOfAccounts(receivable=" ")
