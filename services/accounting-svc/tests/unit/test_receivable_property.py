"""Property: whatever the documents and payments and whatever their order, every entry balances per currency, and
the journal's receivable and customer credits equal billing rule 17 per invoice (close.md C1, C4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from accounting_svc.domain.chart import DEFAULT_CHART as CHART
from accounting_svc.domain.documents import DocumentLine, InvoiceDocument, MemoDocument, MemoLine
from accounting_svc.domain.postings import invoice_entry, memo_entry, payment_entry
from accounting_svc.domain.receivable import Receivable
from mediabill_common.money import quantum

AT = {"posting_period": "2026-11", "posting_date": date(2026, 11, 30)}


def amounts(currency: str, low: int, high: int) -> st.SearchStrategy[Decimal]:
    step = quantum(currency)
    return st.integers(low, high).map(lambda n: n * step)


@st.composite
def invoice_and_moves(draw: st.DrawFn) -> tuple[InvoiceDocument, list[tuple[str, Decimal]]]:
    currency = draw(st.sampled_from(["USD", "JPY", "KWD"]))
    usage = draw(amounts(currency, 1, 10**7))
    discount = -draw(amounts(currency, 0, 10**5))
    tax = draw(amounts(currency, 0, 10**5))
    lines = (DocumentLine("L1", "usage", usage, "P", "4010"), DocumentLine("D", "discount", discount),
             DocumentLine("T", "tax", tax, tax_code="VAT"))
    invoice = InvoiceDocument("I1", "INV-1", "ADV", "AG", None, "2026-11", date(2026, 12, 1), currency,
                              usage + discount + tax, lines)
    moves = draw(st.lists(st.tuples(st.sampled_from(["credit", "debit", "payment"]),
                                    amounts(currency, 1, 10**7)), max_size=12))
    return invoice, moves


def _memo(n: int, kind: str, amount: Decimal, invoice: InvoiceDocument) -> MemoDocument:
    return MemoDocument(f"M{n}", f"M-{n}", kind, invoice.invoice_id, date(2026, 12, 2), invoice.currency, amount,
                        (MemoLine("L1", "usage", amount),))


@settings(max_examples=300, deadline=None)
@given(invoice_and_moves())
def test_every_entry_balances_and_the_journal_agrees_with_rule_17(case):
    invoice, moves = case
    entry, state = invoice_entry(invoice, Receivable(invoice.currency), CHART, **AT)
    entries = [entry]
    credited = debited = paid = Decimal(0)
    for n, (kind, amount) in enumerate(moves):
        if kind == "payment":
            entry, state = payment_entry(invoice, state, amount, CHART, source_id=f"p{n}", **AT)
            paid += amount
        else:
            entry, state = memo_entry(_memo(n, kind, amount, invoice), invoice, state, CHART, **AT)
            credited += amount if kind == "credit" else 0
            debited += amount if kind == "debit" else 0
        entries.append(entry)
    assert all(e.is_balanced() for e in entries)
    receivable = sum((line.net_debit.amount for e in entries for line in e.lines if line.account == CHART.receivable),
                     Decimal(0))
    credits = -sum((line.net_debit.amount for e in entries for line in e.lines
                    if line.account == CHART.customer_credits), Decimal(0))
    n = invoice.total - credited + debited - paid  # rule 17 before its floor
    assert receivable == max(n, Decimal(0))
    assert credits == max(-n, Decimal(0))
    assert receivable >= 0 and credits >= 0
