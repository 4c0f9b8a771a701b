"""Memo, payment and dispute events on an invoice's balance, through the handler table over in-memory ports:
parking until the invoice is issued, arrival order, resends and payments that cannot be applied as sent."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from invoice_svc.app.balances import replay_for_issued, sweep_parked
from invoice_svc.app.handlers import HANDLERS
from invoice_svc.app.stored import Receivable
from mediabill_common.consumer import Event
from mediabill_common.money import Money
from mediabill_common.testing.kafka import envelope_for

INVOICE = Receivable("INV-1", "INV-2025-00000001", "ADV-1", Money(Decimal("1000.00"), "USD"), "issued")


def payment(payment_id: str, amount: str, **over: str) -> Event:
    data = {"payment_id": payment_id, "invoice_id": "INV-1", "bill_to_account_id": "ADV-1", "amount": amount,
            "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"} | over
    return Event.of(envelope_for("PaymentApplied", data, subject=data["invoice_id"]))


def credit_memo(memo_id: str, total: str) -> Event:
    return Event.of(envelope_for("CreditMemoIssued", {
        "memo_id": memo_id, "memo_number": f"CM-{memo_id}", "adjustment_id": f"ADJ-{memo_id}", "invoice_id": "INV-1",
        "invoice_number": INVOICE.invoice_number, "bill_to_account_id": "ADV-1", "dispute_id": None,
        "lines": [{"invoice_line_id": None, "kind": "usage", "amount": total, "description": "credit"}],
        "total": total, "currency": "USD", "reason_code": "rate_mismatch", "requested_by": "ana",
        "approved_by": ["bo"], "issued_at": "2025-07-09T10:00:00Z"}, subject="INV-1"))


def dispute_opened(dispute_id: str, amount: str) -> Event:
    return Event.of(envelope_for("DisputeOpened", {
        "dispute_id": dispute_id, "invoice_id": "INV-1", "invoice_number": INVOICE.invoice_number,
        "bill_to_account_id": "ADV-1", "lines": [{"invoice_line_id": "L1", "amount": amount}], "amount": amount,
        "currency": "USD", "reason_code": "delivery_discrepancy", "opened_by": "adv", "opened_at":
        "2025-07-10T10:00:00Z", "sla_due_at": "2025-07-20T10:00:00Z"}, subject="INV-1"))


async def test_an_event_for_an_invoice_not_issued_yet_is_parked_and_applied_when_its_bill_run_replays_it(unit):
    await HANDLERS.dispatch(payment("P-1", "250.00"), unit)
    assert [w for w, _ in unit.lot.parked] == ["INV-1"]
    assert unit.receivables.balances == {} and unit.published == []

    unit.receivables.issue(INVOICE)
    assert await replay_for_issued(unit, ["INV-1", "INV-2"]) == 1

    assert unit.lot.parked == []
    assert unit.receivables.balances["INV-1"].balance_due.amount == Decimal("750.00")
    [changed] = unit.published_of("InvoiceBalanceChanged")
    assert (changed["reason"], changed["paid"], changed["status"]) == ("payment", "250.00", "partially_paid")


async def test_the_balance_is_the_same_whatever_order_memos_payments_and_disputes_arrive_in(unit):
    events = [payment("P-1", "300.00"), credit_memo("M-1", "100.00"), dispute_opened("D-1", "50.00"),
              payment("P-2", "200.00")]
    seen = set()
    for order in itertools.permutations(events):
        fresh = type(unit)()
        fresh.receivables.issue(INVOICE)
        for event in order:
            await HANDLERS.dispatch(event, fresh)
        seen.add(fresh.receivables.balances["INV-1"])
    [balance] = seen
    assert tuple(m.amount for m in (balance.paid, balance.credited, balance.balance_due, balance.disputed_amount)) == (
        Decimal("500.00"), Decimal("100.00"), Decimal("400.00"), Decimal("50.00"))


async def test_an_exact_resend_changes_nothing_and_a_payment_id_resent_with_another_amount_raises_payment_conflict(
        unit):
    unit.receivables.issue(INVOICE)
    await HANDLERS.dispatch(payment("P-1", "250.00"), unit)
    await HANDLERS.dispatch(payment("P-1", "250.000"), unit)
    assert len(unit.published_of("InvoiceBalanceChanged")) == 1
    assert unit.exceptions.unresolved() == []

    await HANDLERS.dispatch(payment("P-1", "240.00"), unit)
    [conflict] = unit.exceptions.unresolved()
    assert (conflict.kind, conflict.refs["differs"], conflict.refs["recorded_amount"]) == (
        "payment_conflict", "amount", "250.00")
    assert unit.receivables.balances["INV-1"].paid.amount == Decimal("250.00")


@pytest.mark.parametrize(("over", "kind"), [
    ({"currency": "EUR"}, "payment_currency_mismatch"),
    ({"bill_to_account_id": "ADV-2"}, "payment_account_mismatch"),
    ({"amount": "10.005"}, "payment_amount_precision"),
])
async def test_a_payment_that_cannot_be_applied_as_sent_raises_its_exception_and_moves_no_balance(unit, over, kind):
    unit.receivables.issue(INVOICE)
    fields = dict(over)
    await HANDLERS.dispatch(payment("P-1", fields.pop("amount", "100.00"), **fields), unit)
    assert [x.kind for x in unit.exceptions.unresolved()] == [kind]
    assert unit.published_of("InvoiceBalanceChanged") == []
    assert "INV-1" not in unit.receivables.balances


async def test_paying_more_than_is_due_raises_overpayment_before_the_balance_is_published(unit):
    unit.receivables.issue(INVOICE)
    await HANDLERS.dispatch(payment("P-1", "1200.00"), unit)
    [over] = unit.exceptions.unresolved("overpayment")
    assert over.amount_at_risk == Decimal("200.00")
    assert [e.type for _, e in unit.published] == ["BillingExceptionRaised", "InvoiceBalanceChanged"]


async def test_the_sweep_applies_what_waits_for_an_invoice_issued_since_and_raises_unknown_invoice_for_the_rest(
        unit):
    await HANDLERS.dispatch(payment("P-1", "100.00"), unit)
    await HANDLERS.dispatch(payment("P-2", "5.00", invoice_id="INV-9"), unit)
    unit.receivables.issue(INVOICE)

    assert await sweep_parked(unit, unknown_after_s=0) == 1
    assert unit.receivables.balances["INV-1"].paid.amount == Decimal("100.00")
    [unknown] = unit.exceptions.unresolved()
    assert (unknown.kind, unknown.refs["invoice_id"], unknown.amount_at_risk) == (
        "unknown_invoice", "INV-9", Decimal("5.00"))
    assert [w for w, _ in unit.lot.parked] == ["INV-9"]  # kept, in case the invoice shows up after all
