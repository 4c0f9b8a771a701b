"""An invoice's timeline: issue first, then every entry and the void in the order they happened, with actors and
the balance after each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from invoice_svc.domain.billing.balance import BalanceEntry
from invoice_svc.domain.billing.history import (
    UNKNOWN_ACTOR,
    EntryCause,
    Issue,
    RecordedEntry,
    Void,
    invoice_history,
)

T0 = datetime(2025, 6, 1, tzinfo=UTC)
D = Decimal
ISSUE = Issue(T0, "RUN-1", "manager@example", "INV-2025-00000001", D("1000.00"), "USD")


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def recorded(entry: BalanceEntry, actor: str | None, recorded_day: int, **details: str) -> RecordedEntry:
    return RecordedEntry(entry, True, f"evt-{entry.entry_id}", EntryCause(actor, details) if actor else None,
                         at(recorded_day))


def test_steps_are_in_the_order_they_happened_not_the_order_they_arrived():
    payment = recorded(BalanceEntry("PAY-1", "payment", D("500"), "USD", at(9)), "/collections", 9,
                       payment_id="PAY-1")
    memo = recorded(BalanceEntry("CM-1", "credit_memo", D("40"), "USD", at(6), "X-1"), "analyst@example", 10,
                    memo_number="CM-2025-00000001")
    opened = recorded(BalanceEntry("X-1", "dispute_opened", D("120"), "USD", at(2), "X-1"), "portal", 11)
    resolved = recorded(BalanceEntry("X-1@r", "dispute_resolved", D("40"), "USD", at(5), "X-1"), "lead@example", 12)
    steps = invoice_history(ISSUE, [payment, memo, opened, resolved], None)
    assert [(s.kind, s.actor) for s in steps] == [
        ("issued", "manager@example"), ("dispute_opened", "portal"), ("dispute_resolved", "lead@example"),
        ("credit_memo", "analyst@example"), ("payment", "/collections")]
    assert [s.balance_after.balance_due.amount for s in steps] == [D("1000.00"), D("1000.00"), D("1000.00"),
                                                                    D("960.00"), D("460.00")]
    assert [s.balance_after.disputed_amount.amount for s in steps] == [D(0), D("120.00"), D("40.00"), D(0), D(0)]
    assert steps[0].reference == "RUN-1" and steps[-1].details == {"payment_id": "PAY-1"}


def test_a_void_takes_its_place_in_time_and_entries_without_a_cause_say_so():
    old = recorded(BalanceEntry("X-9", "dispute_opened", D("10"), "USD", at(1), "X-9"), None, 1)
    withdrawn = recorded(BalanceEntry("X-9", "dispute_withdrawn", D(0), "XXX", at(2), "X-9"), "portal", 2)
    steps = invoice_history(ISSUE, [withdrawn, old], Void(at(3), "manager@example", "billed to the wrong agency"))
    assert [s.kind for s in steps] == ["issued", "dispute_opened", "dispute_withdrawn", "void"]
    assert steps[1].actor == UNKNOWN_ACTOR
    assert steps[2].amount is None  # a withdrawal moves no money
    assert steps[3].actor == "manager@example" and steps[3].details == {"reason": "billed to the wrong agency"}
    assert steps[3].balance_after.status == "void" and steps[3].balance_after.balance_due.amount == 0


def test_entries_of_the_same_instant_keep_the_order_they_were_recorded_in():
    first = recorded(BalanceEntry("PAY-B", "payment", D("100"), "USD", at(4)), "/collections", 4)
    second = recorded(BalanceEntry("PAY-A", "payment", D("100"), "USD", at(4)), "/collections", 5)
    assert [s.reference for s in invoice_history(ISSUE, [second, first], None)][1:] == ["PAY-B", "PAY-A"]
