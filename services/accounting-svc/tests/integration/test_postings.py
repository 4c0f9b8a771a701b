"""Postings through the real handlers on the real database: every entry balances, each event posts once, and the
journal's receivable equals what invoice-svc reports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from accounting_svc.entrypoints.unapplied_sweeper import sweep_once
from accounting_svc.testing import apply_batch, apply_events, balance_changed, event, invoice_issued, memo_issued
from mediabill_common.testing.plugin import bearer

pytestmark = pytest.mark.integration
READER = bearer(["auditor"], "aud")


async def _journal(api, **filters) -> list[dict]:
    response = await api.get("/v1/journal", params={**filters, "limit": 500}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _net(entries: list[dict], account: str) -> Decimal:
    return sum((Decimal(line["debit"]) - Decimal(line["credit"]) for e in entries for line in e["lines"]
                if line["account"] == account), Decimal(0))


async def test_memo_before_its_invoice_waits_then_posts_and_redelivery_posts_nothing_twice(accounting_ctx,
                                                                                           accounting_api):
    u = uuid.uuid4().hex[:8]
    inv = invoice_issued(f"i-{u}", [("L1", "usage", "2000.00"), ("D", "discount", "-100.00"),
                                    ("C", "agency_commission", "-285.00"), ("T", "tax", "323.00", {"tax_code": "VAT"})])
    memo = event("CreditMemoIssued", memo_issued(f"m-{u}", f"i-{u}", [("L1", "usage", "200.00"),
                                                                      ("D", "discount", "-10.00")]))
    issued = event("InvoiceIssued", inv)
    await apply_events(accounting_ctx, memo)
    assert await _journal(accounting_api, source_id=f"m-{u}") == []
    await apply_events(accounting_ctx, issued)
    await apply_events(accounting_ctx, event("InvoiceIssued", inv))  # the same invoice under a new event id
    await apply_events(accounting_ctx, event("CreditMemoIssued", memo.payload.model_dump(mode="json")))
    paid = event("InvoiceBalanceChanged", balance_changed(f"i-{u}", total="1938.00", credited="190.00",
                                                          paid="2000.00"))
    await apply_events(accounting_ctx, paid)
    await apply_events(accounting_ctx, event("InvoiceBalanceChanged", paid.payload.model_dump(mode="json")))
    entries = [e for e in await _journal(accounting_api, contract_id="IO-7")
               if e["source_id"] in (f"i-{u}", f"m-{u}") or e["document_number"] == f"INV-i-{u}"]
    assert sorted(e["source_type"] for e in entries) == ["credit_memo", "invoice", "payment"]
    for entry in entries:
        for currency in {line["currency"] for line in entry["lines"]}:
            lines = [line for line in entry["lines"] if line["currency"] == currency]
            assert sum(Decimal(x["debit"]) for x in lines) == sum(Decimal(x["credit"]) for x in lines)
    # N = 1938 - 190 - 2000 = -252: no receivable, 252.00 of customer credit.
    assert _net(entries, "1200") == 0
    assert _net(entries, "2150") == Decimal("-252.00")
    assert _net(entries, "1010") == Decimal("2000.00")


async def test_void_reverses_the_invoice_entry(accounting_ctx, accounting_api):
    u = uuid.uuid4().hex[:8]
    await apply_events(accounting_ctx, event("InvoiceIssued", invoice_issued(f"i-{u}", [("L1", "usage", "80.00")])))
    voided = {"invoice_id": f"i-{u}", "invoice_number": f"INV-i-{u}", "bill_to_account_id": "AG-1",
              "reason": "wrong rate", "voided_by": "mgr", "voided_at": "2026-12-03T09:00:00Z"}
    await apply_events(accounting_ctx, event("InvoiceVoided", voided), event("InvoiceVoided", voided),
                       event("InvoiceBalanceChanged", balance_changed(f"i-{u}", total="80.00", reason="void")))
    entries = await _journal(accounting_api, source_id=f"i-{u}")
    assert sorted(e["source_type"] for e in entries) == ["invoice", "void"]
    void = next(e for e in entries if e["source_type"] == "void")
    assert void["posting_period"] == "2026-12" and void["posting_date"] == "2026-12-03"
    assert _net(entries, "1200") == 0 and _net(entries, "4010") == 0


async def test_a_payment_invoice_svc_never_applies_posts_to_unapplied_cash_and_is_released_when_it_does(
        accounting_ctx, accounting_api):
    u = uuid.uuid4().hex[:8]
    await apply_events(accounting_ctx, event("InvoiceIssued", invoice_issued(f"i-{u}", [("L1", "usage", "70.00")])))
    payment = event("PaymentApplied", {"payment_id": f"pay-{u}", "invoice_id": f"i-{u}", "bill_to_account_id": "AG-1",
                                       "amount": "70.00", "currency": "USD", "applied_at": "2026-12-10T12:00:00Z"})
    await apply_events(accounting_ctx, payment, event("PaymentApplied", payment.payload.model_dump(mode="json")))
    await sweep_once(accounting_ctx)  # within the wait: nothing yet
    assert await _journal(accounting_api, source_id=f"pay-{u}") == []
    await sweep_once(accounting_ctx, now=datetime.now(UTC) + timedelta(days=1))
    [held] = await _journal(accounting_api, source_id=f"pay-{u}")
    assert held["source_type"] == "unapplied_payment" and _net([held], "2160") == Decimal("-70.00")
    # invoice-svc applies it after all: the cash moves from unapplied cash to the invoice.
    await apply_events(accounting_ctx, event("InvoiceBalanceChanged", balance_changed(
        f"i-{u}", total="70.00", paid="70.00", caused_by=payment.id)))
    released = await _journal(accounting_api, source_id=f"pay-{u}:released")
    assert _net(released, "2160") == Decimal("70.00") and _net(released, "1010") == Decimal("-70.00")


async def test_a_batch_of_issued_invoices_posts_each_once_and_releases_what_waited_for_them(accounting_ctx,
                                                                                            accounting_api):
    # As a bill run's invoices arrive: many in one consumer batch, one of them twice under two event ids, one
    # already posted from an earlier batch, and a memo that arrived before its invoice.
    u = uuid.uuid4().hex[:8]
    ids = [f"b{n}-{u}" for n in range(4)]
    invoices = {i: invoice_issued(i, [("L1", "usage", f"{1000 + n}.00"), ("D", "discount", "-50.00")])
                for n, i in enumerate(ids)}
    await apply_events(accounting_ctx, event("InvoiceIssued", invoices[ids[0]]))
    memo = event("CreditMemoIssued", memo_issued(f"m-{u}", ids[3], [("L1", "usage", "100.00")]))
    await apply_events(accounting_ctx, memo)
    await apply_batch(accounting_ctx, *(event("InvoiceIssued", invoices[i]) for i in ids),
                      event("InvoiceIssued", invoices[ids[1]]))

    entries = [e for e in await _journal(accounting_api, contract_id="IO-7")
               if e["source_id"] in (*ids, f"m-{u}")]
    assert sorted((e["source_type"], e["source_id"]) for e in entries) == sorted(
        [("invoice", i) for i in ids] + [("credit_memo", f"m-{u}")])
    for entry in entries:
        assert sum(Decimal(x["debit"]) for x in entry["lines"]) == sum(Decimal(x["credit"]) for x in entry["lines"])
    by_source = {e["source_id"]: e for e in entries}
    for n, i in enumerate(ids):  # each invoice's receivable is its total: usage less the discount
        assert _net([by_source[i]], "1200") == Decimal(f"{1000 + n}.00") - Decimal("50.00")
    assert _net([by_source[f"m-{u}"]], "1200") == Decimal("-100.00")
    async with accounting_ctx.sessions() as session:
        announced = (await session.execute(text(
            "SELECT envelope->>'subject' FROM accounting_svc.outbox WHERE event_type = 'JournalEntryPosted' "
            "AND envelope->>'subject' = ANY(:ids)"), {"ids": [e["entry_id"] for e in entries]})).scalars().all()
    assert sorted(announced) == sorted(e["entry_id"] for e in entries)  # each posted entry announced once
