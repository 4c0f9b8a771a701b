"""Rules 12, 17 and 20 as pure functions: balance, status, disputed amount, void blockers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_svc.domain.billing.balance import (
    BalanceEntry,
    balance_of,
    disputed_amount,
    opening_balance,
    stored_balance,
    void_blockers,
)
from mediabill_common.money import Money

T0 = datetime(2025, 3, 1, tzinfo=UTC)
D = Decimal


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def payment(pid: str, amount: str, currency: str = "USD", minute: int = 0) -> BalanceEntry:
    return BalanceEntry(pid, "payment", D(amount), currency, at(minute))


def memo(mid: str, kind: str, amount: str, dispute_id: str | None = None, minute: int = 0) -> BalanceEntry:
    return BalanceEntry(mid, kind, D(amount), "USD", at(minute), dispute_id)


def dispute(kind: str, dispute_id: str, amount: str = "0", minute: int = 0) -> BalanceEntry:
    entry_id = dispute_id if kind in ("dispute_opened", "dispute_withdrawn") else f"{dispute_id}@{minute}"
    return BalanceEntry(entry_id, kind, D(amount), "USD", at(minute), dispute_id)


def test_balance_due_is_total_minus_credited_plus_debited_minus_paid():
    b = balance_of(Money(D("1000.00"), "USD"), [memo("CM1", "credit_memo", "100.00"),
                                                memo("DM1", "debit_memo", "50.00"), payment("P1", "300.00")])
    assert (*(m.amount for m in (b.credited, b.debited, b.paid, b.balance_due, b.overpaid)), b.status) == \
        (D("100.00"), D("50.00"), D("300.00"), D("650.00"), D("0.00"), "partially_paid")


def test_status_is_issued_until_paid_and_paid_when_nothing_is_due():
    assert balance_of(Money(D("10.00"), "USD"), []).status == "issued"
    assert balance_of(Money(D("10.00"), "USD"), [memo("CM", "credit_memo", "4.00")]).status == "issued"
    assert balance_of(Money(D("10.00"), "USD"), [payment("P", "10.00")]).status == "paid"
    assert balance_of(Money(D("10.00"), "USD"), [memo("CM", "credit_memo", "10.00")]).status == "paid"


def test_overpayment_leaves_nothing_due_and_shows_the_excess():
    b = balance_of(Money(D("100.00"), "USD"), [payment("P1", "80.00"), payment("P2", "50.00")])
    assert (b.balance_due.amount, b.overpaid.amount, b.status) == (D("0.00"), D("30.00"), "paid")


def test_a_payment_in_another_currency_is_kept_but_not_applied():
    b = balance_of(Money(D("100.00"), "USD"), [payment("P1", "100.00", currency="EUR")])
    assert (b.paid.amount, b.balance_due.amount, b.status) == (D("0.00"), D("100.00"), "issued")


def test_a_void_invoice_owes_nothing():
    b = balance_of(Money(D("100.00"), "USD"), [], voided=True)
    assert (b.balance_due.amount, b.status, b.total.amount) == (D("0.00"), "void", D("100.00"))


def test_an_open_dispute_holds_its_amount_without_changing_the_balance():
    b = balance_of(Money(D("500.00"), "USD"), [dispute("dispute_opened", "X", "120.00")])
    assert (b.disputed_amount.amount, b.balance_due.amount) == (D("120.00"), D("500.00"))


def test_resolution_releases_what_will_not_be_credited_and_holds_the_credit_until_its_memo():
    opened, resolved = dispute("dispute_opened", "X", "120.00", 0), dispute("dispute_resolved", "X", "40.00", 5)
    assert disputed_amount([opened, resolved]) == D("40.00")
    credited = balance_of(Money(D("500.00"), "USD"),
                          [opened, resolved, memo("CM", "credit_memo", "40.00", "X", 9)])
    assert (credited.disputed_amount.amount, credited.credited.amount, credited.balance_due.amount) == (
        D("0.00"), D("40.00"), D("460.00"))


def test_a_rejected_or_withdrawn_dispute_holds_nothing_and_a_reopened_one_keeps_its_hold():
    opened = dispute("dispute_opened", "X", "120.00", 0)
    assert disputed_amount([opened, dispute("dispute_resolved", "X", "0", 5)]) == 0
    assert disputed_amount([opened, dispute("dispute_withdrawn", "X", minute=5)]) == 0
    upheld = dispute("dispute_resolved", "X", "120.00", 5)
    assert disputed_amount([opened, upheld, dispute("dispute_reopened", "X", minute=7)]) == D("120.00")
    # resolved again after the reopening (now rejected): the latest resolution decides
    assert disputed_amount([opened, upheld, dispute("dispute_reopened", "X", minute=7),
                            dispute("dispute_resolved", "X", "0", 9)]) == 0


def test_void_is_blocked_by_anything_paid_credited_debited_or_disputed():
    clean = balance_of(Money(D("100.00"), "USD"), [])
    assert void_blockers(clean, "issued") == []
    busy = balance_of(Money(D("100.00"), "USD"), [payment("P", "1.00"), memo("CM", "credit_memo", "2.00"),
                                           memo("DM", "debit_memo", "3.00"), dispute("dispute_opened", "X", "4.00")])
    assert void_blockers(busy, "issued") == ["paid 1.00", "credited 2.00", "debited 3.00", "disputed 4.00"]
    assert void_blockers(clean, "void") and void_blockers(clean, "draft")


# ---- any arrival order, resends included, gives the same final balance -------------------------------------
_money = st.decimals(min_value=D("0.01"), max_value=D("400.00"), places=2)


@st.composite
def receivable_events(draw) -> list[BalanceEntry]:
    events: list[BalanceEntry] = []
    for i in range(draw(st.integers(0, 4))):
        events.append(payment(f"P{i}", str(draw(_money)), draw(st.sampled_from(["USD", "USD", "EUR"])), i))
    for i in range(draw(st.integers(0, 2))):
        events.append(memo(f"DM{i}", "debit_memo", str(draw(_money)), minute=i))
    for d in range(draw(st.integers(0, 3))):
        dispute_id, amount = f"X{d}", draw(_money)
        events.append(dispute("dispute_opened", dispute_id, str(amount), 10 * d))
        ending = draw(st.sampled_from(["open", "withdrawn", "rejected", "credited", "reopened"]))
        credit = min(draw(_money), amount)
        if ending == "withdrawn":
            events.append(dispute("dispute_withdrawn", dispute_id, minute=10 * d + 1))
        elif ending != "open":
            events.append(dispute("dispute_resolved", dispute_id, "0" if ending == "rejected" else str(credit),
                                  10 * d + 2))
        if ending == "credited":
            events.append(memo(f"CM{d}", "credit_memo", str(credit), dispute_id, 10 * d + 3))
        if ending == "reopened":
            events.append(dispute("dispute_reopened", dispute_id, minute=10 * d + 4))
    return events


def _arrive(total: Decimal, order: list[BalanceEntry]):
    """Apply events one by one as the consumer does: each recorded once by (kind, id); balance after each."""
    recorded: dict[tuple[str, str], BalanceEntry] = {}
    balances = []
    for entry in order:
        recorded.setdefault((entry.kind, entry.entry_id), entry)
        balances.append(balance_of(Money(total, "USD"), list(recorded.values())))
    return balances[-1] if balances else balance_of(Money(total, "USD"), [])


@settings(max_examples=300, deadline=None)
@given(total=_money, events=receivable_events(), data=st.data())
def test_the_final_balance_does_not_depend_on_arrival_order_or_resends(total, events, data):
    reference = _arrive(total, events)
    shuffled = data.draw(st.permutations(events))
    resent = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=4)) if events else shuffled
    assert _arrive(total, resent) == reference


@settings(max_examples=300, deadline=None)
@given(total=_money, events=receivable_events())
def test_balance_invariants_hold(total, events):
    b = _arrive(total, events)
    due, overpaid = b.balance_due.amount, b.overpaid.amount
    assert due >= 0 and overpaid >= 0 and not (due and overpaid)
    assert b.balance_due - b.overpaid == b.total - b.credited + b.debited - b.paid
    assert b.disputed_amount.amount >= 0
    assert b.status == ("paid" if b.balance_due.amount == 0 else "partially_paid" if b.paid.amount > 0 else "issued")


def test_the_balance_kept_on_the_invoice_row_reads_back_as_computed_at_the_currency_scale():
    computed = balance_of(Money(D("1000.00"), "JPY"), [payment("P1", "300", "JPY")])
    # NUMERIC columns hand back their own scale; the figures shown are the currency's.
    row = {"currency": "JPY", "balance_status": computed.status,
           **{k: D(v).quantize(D("0.000001")) for k, v in computed.figures().items() if k != "status"}}
    read = stored_balance(row)
    assert read == computed
    assert [format(v.amount, "f") for v in (read.total, read.paid, read.balance_due)] == ["1000", "300", "700"]


@given(st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
       st.sampled_from(["USD", "EUR", "JPY", "BHD"]))
@settings(max_examples=300, deadline=None)
def test_an_invoice_opens_at_balance_ofs_balance_due_and_status(amount, currency):
    total = Money(amount, currency)
    balance = balance_of(total, [])
    assert opening_balance(total) == (balance.balance_due.amount, balance.status)
    assert str(opening_balance(total)[0]) == str(balance.balance_due.amount)  # the same scale on the invoice row
