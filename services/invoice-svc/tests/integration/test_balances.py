"""Receivables for collections: memos, payments and disputes published to the real topics, consumed by the real
consumer, give the same InvoiceBalanceChanged figures on billing.invoices.v1 whatever their arrival order."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from sqlalchemy import text

from invoice_svc.adapters.receivables_repository import BALANCES_PARKING
from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.balances import sweep_parked
from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor
from invoice_svc.settings import Settings
from invoice_svc.testing.billing import (
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    product,
)
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC, PAYMENTS_TOPIC
from mediabill_common.testing.kafka import envelope_for, flush_outbox, read_topic

pytestmark = pytest.mark.integration

TOPIC_OF = {"PaymentApplied": PAYMENTS_TOPIC, "CreditMemoIssued": ADJUSTMENTS_TOPIC,
            "DebitMemoIssued": ADJUSTMENTS_TOPIC, "DisputeOpened": DISPUTES_TOPIC, "DisputeResolved": DISPUTES_TOPIC,
            "DisputeWithdrawn": DISPUTES_TOPIC, "DisputeReopened": DISPUTES_TOPIC}


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
    envelope = envelope_for(event_type, data, subject=data["invoice_id"])
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
                                         "WHERE invoice_id = :i ORDER BY entry_id"),
                                    {"i": invoice["invoice_id"]})).all()
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
    units = SqlUnits(billing.ctx)
    async with billing.ctx.sessions() as s, s.begin():
        await units.over(s).parking.park(Event.of(early), waiting_for=invoice["invoice_id"])
    assert [w for w in await _waiting(billing.ctx) if w == stranger["invoice_id"]] == [stranger["invoice_id"]]

    async with billing.ctx.sessions() as s, s.begin():
        assert await sweep_parked(units.over(s), unknown_after_s=0) >= 1
    assert (await billing.invoice(invoice["invoice_id"]))["balance"]["paid"] == "5.00"
    [unknown] = await exceptions_of(billing.ctx, adv, "unknown_invoice")
    assert unknown["refs"]["invoice_id"] == stranger["invoice_id"]
    # still kept, in case the invoice shows up after all
    assert stranger["invoice_id"] in await _waiting(billing.ctx)


async def _waiting(ctx) -> list[str]:
    """The invoices that parked balance events wait for."""
    async with ctx.sessions() as s:
        rows = await s.execute(text("SELECT waiting_for FROM invoice_svc.parked_events WHERE consumer = :c "
                                    "ORDER BY id"), {"c": BALANCES_PARKING})
        return list(rows.scalars())


async def _entries(ctx, invoice_id: str) -> list[tuple]:
    async with ctx.sessions() as s:
        rows = await s.execute(text("SELECT entry_id, amount, applied FROM invoice_svc.balance_entries "
                                    "WHERE invoice_id = :i ORDER BY entry_id"), {"i": invoice_id})
        return [tuple(r) for r in rows.all()]


async def test_a_payment_id_sent_again_with_other_details_raises_payment_conflict_an_exact_resend_changes_nothing(
        invoice_feed, billing, unique):
    first, second = await _issue(invoice_feed, billing, unique, contracts=2)
    adv = first["bill_to_account_id"]
    pay = {"payment_id": f"P-{unique}", "invoice_id": first["invoice_id"], "bill_to_account_id": adv,
           "amount": "500.00", "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"}
    await _publish(invoice_feed, "PaymentApplied", pay)
    await _publish(invoice_feed, "PaymentApplied", pay)  # resent with a new event id
    await _publish(invoice_feed, "PaymentApplied", pay | {"amount": "500.000"})  # the same amount, written longer
    assert await exceptions_of(billing.ctx, adv) == []
    changed = [("amount", {"amount": "400.00"}), ("currency", {"currency": "EUR"}),
               ("invoice_id", {"invoice_id": second["invoice_id"]}),
               ("invoice_id", {"invoice_id": f"elsewhere-{unique}"}),  # unknown: raised at once, not parked
               ("bill_to_account_id", {"bill_to_account_id": f"ADV-other-{unique}"})]
    for _, fields in changed:
        await _publish(invoice_feed, "PaymentApplied", pay | fields)
        await _publish(invoice_feed, "PaymentApplied", pay | fields)  # the same conflict again: one exception

    conflicts = await exceptions_of(billing.ctx, adv, "payment_conflict")
    assert sorted(c["refs"]["differs"] for c in conflicts) == sorted(differs for differs, _ in changed)
    assert {(c["refs"]["payment_id"], c["refs"]["recorded_invoice_id"], c["refs"]["recorded_amount"])
            for c in conflicts} == {(pay["payment_id"], first["invoice_id"], "500.00")}
    assert [e["kind"] for e in await exceptions_of(billing.ctx, adv)] == ["payment_conflict"] * len(changed)
    assert (await billing.invoice(first["invoice_id"]))["balance"]["paid"] == "500.00"
    assert (await billing.invoice(second["invoice_id"]))["balance"]["paid"] == "0.00"
    assert f"elsewhere-{unique}" not in await _waiting(billing.ctx)


async def test_a_payment_naming_another_bill_to_account_is_not_applied_and_raises_payment_account_mismatch(
        invoice_feed, billing, unique):
    [invoice] = await _issue(invoice_feed, billing, unique)
    adv, other = invoice["bill_to_account_id"], f"ADV-other-{unique}"
    pay = {"payment_id": f"P-{unique}", "invoice_id": invoice["invoice_id"], "bill_to_account_id": other,
           "amount": "300.00", "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"}
    await _publish(invoice_feed, "PaymentApplied", pay)
    await _publish(invoice_feed, "PaymentApplied", pay)  # resent: the open exception covers it

    assert (await billing.invoice(invoice["invoice_id"]))["balance"]["paid"] == "0.00"
    assert await _entries(billing.ctx, invoice["invoice_id"]) == []
    [wrong] = await exceptions_of(billing.ctx, adv, "payment_account_mismatch")
    assert wrong["refs"] == {"payment_id": pay["payment_id"], "invoice_id": invoice["invoice_id"],
                             "payment_bill_to_account_id": other}
    assert (wrong["amount_at_risk"], wrong["currency"]) == (300, "USD")
    # collections corrects the bill-to and sends the payment again: it is applied, once
    await _publish(invoice_feed, "PaymentApplied", pay | {"bill_to_account_id": adv})
    assert (await billing.invoice(invoice["invoice_id"]))["balance"]["paid"] == "300.00"


async def test_a_payment_amount_finer_than_its_currency_is_not_rounded_and_raises_payment_amount_precision(
        invoice_feed, billing, unique):
    [invoice] = await _issue(invoice_feed, billing, unique)
    adv = invoice["bill_to_account_id"]
    pay = {"payment_id": f"P-{unique}", "invoice_id": invoice["invoice_id"], "bill_to_account_id": adv,
           "amount": "100.1234567891", "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"}
    await _publish(invoice_feed, "PaymentApplied", pay)
    # half a yen, for an invoice not seen: raised at once rather than parked for the unknown-invoice wait
    await _publish(invoice_feed, "PaymentApplied", pay | {"payment_id": f"PJ-{unique}", "amount": "12.5",
                                                          "currency": "JPY", "invoice_id": f"elsewhere-{unique}"})

    assert (await billing.invoice(invoice["invoice_id"]))["balance"]["paid"] == "0.00"
    assert await _entries(billing.ctx, invoice["invoice_id"]) == []
    raised = {e["refs"]["payment_id"]: e for e in await exceptions_of(billing.ctx, adv, "payment_amount_precision")}
    assert {p: (e["refs"]["amount"], e["currency"]) for p, e in raised.items()} == {
        f"P-{unique}": ("100.1234567891", "USD"), f"PJ-{unique}": ("12.5", "JPY")}
    assert f"elsewhere-{unique}" not in await _waiting(billing.ctx)


async def test_a_payment_for_an_unknown_invoice_raises_unknown_invoice_once_the_configured_wait_has_passed(
        invoice_feed, billing, unique, monkeypatch):
    [invoice] = await _issue(invoice_feed, billing, unique)
    adv = invoice["bill_to_account_id"]
    await _publish(invoice_feed, "PaymentApplied", {
        "payment_id": f"PX-{unique}", "invoice_id": f"elsewhere-{unique}", "bill_to_account_id": adv,
        "amount": "5.00", "currency": "USD", "applied_at": "2025-07-08T10:00:00Z"})

    def executor_with_wait(seconds: str) -> BillRunExecutor:
        monkeypatch.setenv("UNKNOWN_INVOICE_AFTER_S", seconds)
        s = billing.ctx.settings
        settings = Settings(database_url=s.database_url, kafka_bootstrap_servers=s.kafka_bootstrap_servers)
        return BillRunExecutor(replace(billing.ctx, settings=settings))

    await executor_with_wait("3600").sweep()
    assert await exceptions_of(billing.ctx, adv, "unknown_invoice") == []
    await executor_with_wait("0").sweep()
    [unknown] = await exceptions_of(billing.ctx, adv, "unknown_invoice")
    assert (unknown["refs"]["invoice_id"], unknown["amount_at_risk"]) == (f"elsewhere-{unique}", 5)
