"""Receivables for collections: memos, payments and disputes published to the real topics, consumed by the real
consumer, give the same InvoiceBalanceChanged figures on billing.invoices.v1 whatever their arrival order."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from mediabill_common.consumer.parking import ParkingLot
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC, PAYMENTS_TOPIC
from mediabill_common.testing.kafka import envelope_for, flush_outbox, read_topic

from invoice_svc.app.balances import BALANCES_CONSUMER, BalanceBook

from billing_testing import account, configure, contract, deliver, delivery, exceptions_of, make_billing, product

pytestmark = pytest.mark.integration

TOPIC_OF = {"PaymentApplied": PAYMENTS_TOPIC, "CreditMemoIssued": ADJUSTMENTS_TOPIC,
            "DebitMemoIssued": ADJUSTMENTS_TOPIC, "DisputeOpened": DISPUTES_TOPIC, "DisputeResolved": DISPUTES_TOPIC,
            "DisputeWithdrawn": DISPUTES_TOPIC, "DisputeReopened": DISPUTES_TOPIC}


@pytest.fixture
async def billing(invoice_ctx):
    b = make_billing(invoice_ctx)
    yield b
    await b.client.aclose()


async def _issue(feed, billing, u: str, contracts: int = 1) -> list[dict]:
    """`contracts` invoices of 1000.00 each (200,000 impressions at $5.00 CPM) for one advertiser."""
    adv, p = f"ADV-{u}", f"P-{u}"
    await configure(feed, products=[product(p)], accounts=[account(adv)], contracts=[
        contract(f"C{i}-{u}", advertiser=adv, bill_to=adv, lines=[{"line_item_id": f"L{i}-{u}", "product_code": p,
                                                                   "rate": "5.00"}]) for i in range(contracts)])
    await deliver(feed, [delivery(f"D{i}-{u}", account_id=adv, contract_id=f"C{i}-{u}", line_item_id=f"L{i}-{u}",
                                  product_code=p, day="2025-06-11", impressions=200_000) for i in range(contracts)])
    await billing.bill("2025-06", "issue", [adv])
    return [await billing.invoice(i["invoice_id"]) for i in await billing.invoices(bill_to_account_id=adv)]


def _events(invoice: dict, u: str) -> list[tuple[str, dict]]:
    """A dispute partly upheld and credited, a withdrawn dispute, a payment and a debit memo."""
    inv, adv = invoice["invoice_id"], invoice["bill_to_account_id"]
    line_id = invoice["lines"][0]["invoice_line_id"]
    ref = {"invoice_id": inv, "bill_to_account_id": adv}
    memo = {"adjustment_id": f"ADJ-{u}", "invoice_number": invoice["invoice_number"], "currency": "USD",
            "reason_code": "rate_mismatch", "requested_by": "a", "approved_by": ["m"], **ref}
    return [
        ("DisputeOpened", {"dispute_id": f"X-{u}", "invoice_number": invoice["invoice_number"],
                           "lines": [{"invoice_line_id": line_id, "amount": "120.00"}], "amount": "120.00",
                           "currency": "USD", "reason_code": "rate_mismatch", "opened_by": "adv",
                           "opened_at": "2025-07-02T10:00:00Z", "sla_due_at": "2025-08-01T10:00:00Z", **ref}),
        ("DisputeResolved", {"dispute_id": f"X-{u}", "outcome": "partially_upheld", "credit_amount": "40.00",
                             "currency": "USD", "resolution_note": "part", "resolved_by": "an",
                             "resolved_at": "2025-07-05T10:00:00Z", **ref}),
        ("CreditMemoIssued", {"memo_id": f"CM-{u}", "memo_number": "CM-2025-00000001", "dispute_id": f"X-{u}",
                              "lines": [{"invoice_line_id": line_id, "kind": "usage", "amount": "-40.00",
                                         "description": "credit"}], "total": "40.00",
                              "issued_at": "2025-07-06T10:00:00Z", **memo}),
        ("DebitMemoIssued", {"memo_id": f"DM-{u}", "memo_number": "DM-2025-00000001", "dispute_id": None,
                             "lines": [{"invoice_line_id": None, "kind": "usage", "amount": "25.00",
                                        "description": "late fee"}], "total": "25.00",
                             "issued_at": "2025-07-07T10:00:00Z", **memo}),
        ("PaymentApplied", {"payment_id": f"PAY-{u}", "amount": "500.00", "currency": "USD",
                            "applied_at": "2025-07-08T10:00:00Z", **ref}),
        ("DisputeOpened", {"dispute_id": f"Y-{u}", "invoice_number": invoice["invoice_number"],
                           "lines": [{"invoice_line_id": line_id, "amount": "30.00"}], "amount": "30.00",
                           "currency": "USD", "reason_code": "other", "opened_by": "adv",
                           "opened_at": "2025-07-03T10:00:00Z", "sla_due_at": "2025-08-01T10:00:00Z", **ref}),
        ("DisputeWithdrawn", {"dispute_id": f"Y-{u}", "withdrawn_by": "adv", "withdrawn_at": "2025-07-04T10:00:00Z",
                              **ref}),
    ]


async def _publish(feed, event_type: str, data: dict) -> None:
    envelope = envelope_for(event_type, data, subject=data["invoice_id"], source="/tests/collections")
    await feed.publish_and_apply(TOPIC_OF[event_type], [(data["bill_to_account_id"], envelope)])


async def test_balance_is_the_same_whatever_order_memos_payments_and_disputes_arrive_in(
        invoice_feed, billing, unique):
    invoices = await _issue(invoice_feed, billing, unique, contracts=2)
    orders = []
    for n, invoice in enumerate(invoices):
        events = _events(invoice, f"{unique}-{n}")
        random.Random(n + 7).shuffle(events)
        orders.append([t for t, _ in events])
        for event_type, data in events:
            await _publish(invoice_feed, event_type, data)
    assert orders[0] != orders[1]

    await flush_outbox(billing.ctx)
    ids = {i["invoice_id"] for i in invoices}
    found = await read_topic(billing.ctx.settings.kafka_bootstrap_servers, INVOICES_TOPIC,
                             lambda v, r: v and v["type"] == "InvoiceBalanceChanged" and v["data"]["invoice_id"] in ids,
                             count=14)
    expected = {"total": "1000.00", "credited": "40.00", "debited": "25.00", "paid": "500.00",
                "balance_due": "485.00", "overpaid": "0.00", "disputed_amount": "0.00", "status": "partially_paid"}
    for invoice in invoices:
        changes = [v["data"] for v, _ in found if v["data"]["invoice_id"] == invoice["invoice_id"]]
        assert {c["reason"] for c in changes} == {"credit_memo", "debit_memo", "payment", "dispute_opened",
                                                  "dispute_resolved", "dispute_withdrawn"}
        final = changes[-1]  # one key per bill-to: the topic keeps their order
        assert {k: final[k] for k in expected} == expected
        assert (await billing.invoice(invoice["invoice_id"]))["balance"] == expected


async def test_resent_payment_changes_nothing_and_overpayment_and_wrong_currency_raise_exceptions(
        invoice_feed, billing, unique):
    [invoice] = await _issue(invoice_feed, billing, unique)
    ref = {"invoice_id": invoice["invoice_id"], "bill_to_account_id": invoice["bill_to_account_id"]}
    pay = {"payment_id": f"P1-{unique}", "amount": "1200.00", "currency": "USD",
           "applied_at": "2025-07-08T10:00:00Z", **ref}
    await _publish(invoice_feed, "PaymentApplied", pay)
    await _publish(invoice_feed, "PaymentApplied", pay)  # resent with a new event id: same payment_id
    await _publish(invoice_feed, "PaymentApplied", pay | {"payment_id": f"P2-{unique}", "currency": "EUR",
                                                          "amount": "10.00"})
    balance = (await billing.invoice(invoice["invoice_id"]))["balance"]
    assert (balance["paid"], balance["balance_due"], balance["overpaid"], balance["status"]) == \
        ("1200.00", "0.00", "200.00", "paid")
    adv = invoice["bill_to_account_id"]
    [over] = await exceptions_of(billing.ctx, adv, "overpayment")
    assert over["amount_at_risk"] == 200
    [wrong] = await exceptions_of(billing.ctx, adv, "payment_currency_mismatch")
    assert (wrong["currency"], wrong["refs"]["payment_id"]) == ("EUR", f"P2-{unique}")
    async with billing.ctx.sessions() as s:
        recorded = (await s.execute(text("SELECT entry_id, applied FROM invoice_svc.balance_entries "
                                         "WHERE invoice_id = :i ORDER BY entry_id"), {"i": invoice["invoice_id"]})).all()
    assert [tuple(r) for r in recorded] == [(f"P1-{unique}", True), (f"P2-{unique}", False)]


async def test_events_for_an_unknown_invoice_are_parked_applied_when_it_exists_or_raise_unknown_invoice(
        invoice_feed, billing, unique):
    [invoice] = await _issue(invoice_feed, billing, unique)
    adv = invoice["bill_to_account_id"]
    stranger = {"payment_id": f"PX-{unique}", "invoice_id": f"elsewhere-{unique}", "bill_to_account_id": adv,
                "amount": "5.00", "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"}
    await _publish(invoice_feed, "PaymentApplied", stranger)
    # an event parked just before its invoice's InvoiceIssued committed (the consumer could not see it yet)
    early = envelope_for("PaymentApplied", {**stranger, "payment_id": f"PE-{unique}",
                                            "invoice_id": invoice["invoice_id"]}, subject=invoice["invoice_id"])
    parking = ParkingLot(billing.ctx.tables.parked_events, BALANCES_CONSUMER)
    async with billing.ctx.sessions() as s, s.begin():
        await parking.park(s, early, waiting_for=invoice["invoice_id"])
        assert [w for w, _ in await parking.waiting(s) if w == stranger["invoice_id"]] == [stranger["invoice_id"]]

    book = BalanceBook(billing.ctx.outbox, parking, unknown_after_s=0)
    async with billing.ctx.sessions() as s, s.begin():
        assert await book.sweep(s) >= 1
    assert (await billing.invoice(invoice["invoice_id"]))["balance"]["paid"] == "5.00"
    [unknown] = await exceptions_of(billing.ctx, adv, "unknown_invoice")
    assert unknown["refs"]["invoice_id"] == stranger["invoice_id"]
    async with billing.ctx.sessions() as s:  # still kept, in case the invoice shows up after all
        assert stranger["invoice_id"] in {w for w, _ in await parking.waiting(s)}
