"""Rule 18 across services, as issue 17 found it broken, through real processes, the real broker and database: a
1,770.00 credit pending on a 2,950.00 line; disputes opened at once on the same line (dispute-svc cannot see the
pending credit, so they take up to the line's amount, never more); the credit's approval then refused 409 with the
lines; a dispute resolved upheld whose credit no longer fits reopened with the reason (never dead-lettered) and the
invoice's disputed amount right; once the pending credit is rejected, the dispute resolves to a memo."""

import asyncio
import uuid
from decimal import Decimal

import pytest

from mediabill_common.events.catalog import DISPUTES_TOPIC, dlq_topic
from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish, read_all
from tests.e2e.test_billing_to_cash import book, delivery
from tools.demo.client import ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
PERIOD = "2026-10"


async def _issued_invoice_of_2950(api, kafka_bootstrap, u: str) -> tuple[dict, dict]:
    """An advertiser billed 500,000 impressions at a 5.90 CPM: one usage line of 2,950.00."""
    cpm, adv, io = f"HCPM-{u}", f"HADV-{u}", f"HIO-{u}"
    await api.post("product-config-svc", "/v1/products", {
        "code": cpm, "name": "Headroom CPM", "channel": "onsite", "pricing_model": "cpm",
        "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": "Display"}, as_="config-admin")
    await api.post("product-config-svc", f"/v1/products/{cpm}/rate-cards",
                   {"effective_from": "2026-01-01", "currency": "USD", "price": "6.00"}, as_="config-admin")
    await api.post("product-config-svc", f"/v1/products/{cpm}/activate", {"reason": "go live"}, as_="config-admin")
    await api.post("product-config-svc", "/v1/accounts", {"account_id": adv, "type": "advertiser",
                                                          "legal_name": "Headroom Foods", "currency": "USD"},
                   as_="config-admin")
    await book(api, {"contract_id": io, "advertiser_account_id": adv, "bill_to_account_id": adv, "currency": "USD",
                     "flight_start": f"{PERIOD}-01", "flight_end": f"{PERIOD}-31",
                     "lines": [{"line_item_id": f"{u}-L1", "product_code": cpm, "rate": "5.90"}]})
    record = delivery(u, "L1", 1, contract=io, account=adv, product=cpm, impressions=500_000)
    await publish(kafka_bootstrap, "ads.delivery.v1", [(record["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/pio", subject=record["delivery_id"], data=record))])

    async def billable():
        rows = await api.get_all("invoice-svc", "/v1/deliveries", account_id=adv)
        return any(r["billable"] for r in rows)

    await api.wait_until(billable, timeout_s=120, what="the delivery in the ledger")
    run = await api.post("invoice-svc", "/v1/bill-runs", {"period": PERIOD, "mode": "issue",
                                                           "bill_to_account_ids": [adv]}, as_="billing-manager")

    async def issued():
        state = await api.get("invoice-svc", f"/v1/bill-runs/{run['run_id']}")
        assert state["status"] != "failed", state
        found = [i for i in await api.get_all("invoice-svc", "/v1/invoices", period=PERIOD, status="issued")
                 if i["bill_to_account_id"] == adv]
        return found[0] if state["status"] == "completed" and found else None

    summary = await api.wait_until(issued, timeout_s=120, what="the bill run")
    invoice = await api.get("invoice-svc", f"/v1/invoices/{summary['invoice_id']}")
    [usage] = [line for line in invoice["lines"] if line["kind"] == "usage"]
    assert Decimal(usage["amount"]) == Decimal("2950.00") == Decimal(invoice["total"])
    return invoice, usage


async def test_disputes_and_a_pending_credit_never_book_more_than_the_line_and_nothing_is_stranded(
        system, api, kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    invoice, usage = await _issued_invoice_of_2950(api, kafka_bootstrap, u)
    invoice_id, line_id = invoice["invoice_id"], usage["invoice_line_id"]

    async def adjustment_knows_invoice():
        try:
            return await api.get("adjustment-svc", f"/v1/invoices/{invoice_id}/headroom")
        except ApiError:
            return None

    await api.wait_until(adjustment_knows_invoice, timeout_s=60, what="adjustment-svc's invoice copy")
    manual = await api.post("adjustment-svc", "/v1/adjustments", {
        "invoice_id": invoice_id, "kind": "credit", "reason_code": "other", "note": "goodwill for a slow launch",
        "lines": [{"invoice_line_id": line_id, "amount": "1770.00", "description": "goodwill"}]},
        as_="billing-analyst")
    assert manual["status"] == "pending_approval"

    async def open_dispute(amount: str, n: int):
        async def attempt():
            try:
                return await api.post("dispute-svc", "/v1/disputes", {
                    "invoice_id": invoice_id, "reason_code": "invalid_traffic", "description": f"bot traffic #{n}",
                    "lines": [{"invoice_line_id": line_id, "amount": amount}]}, as_="billing-analyst")
            except ApiError as exc:
                if exc.status == 422:
                    return None  # dispute-svc has not consumed InvoiceIssued yet
                return exc
        return await api.wait_until(attempt, timeout_s=60, what="dispute-svc's invoice copy")

    # Five at once on one line: dispute-svc serialises them on the invoice and takes them up to the line's amount.
    race = await asyncio.gather(*(open_dispute("1000.00", n) for n in range(5)))
    opened = [r for r in race if not isinstance(r, ApiError)]
    refused = [r for r in race if isinstance(r, ApiError)]
    assert len(opened) == 2 and {r.status for r in refused} == {409}, race
    assert all("has a headroom of 950.00 USD" in r.body["detail"] for r in refused)
    opened.append(await open_dispute("600.00", 5))
    assert not isinstance(opened[-1], ApiError), opened[-1]
    d1 = opened[0]["dispute_id"]

    async def disputed_in_adjustment_svc():
        view = await api.get("adjustment-svc", f"/v1/invoices/{invoice_id}/headroom")
        [line] = [x for x in view["lines"] if x["invoice_line_id"] == line_id]
        return line if Decimal(line["disputed"]) == Decimal("2600.00") else None

    await api.wait_until(disputed_in_adjustment_svc, timeout_s=60, what="the disputes in adjustment-svc")
    with pytest.raises(ApiError) as approval:
        await api.post("adjustment-svc", f"/v1/adjustments/{manual['adjustment_id']}/approve",
                       {"comment": "fine by me"}, as_="billing-manager")
    assert approval.value.status == 409, approval.value
    assert approval.value.body["lines"] == [{
        "invoice_line_id": line_id, "requested": "1770.00", "headroom": "350.00", "line_amount": "2950.00",
        "credited": "0.00", "pending_credit": "0.00", "disputed": "2600.00", "currency": "USD"}]

    # Upheld: its 1,000.00 no longer fits (2,950.00 - 1,770.00 pending - 1,600.00 under the other disputes).
    await api.post("dispute-svc", f"/v1/disputes/{d1}/assign", {"assignee": "omar.analyst"}, as_="billing-analyst")
    await api.post("dispute-svc", f"/v1/disputes/{d1}/resolve", {
        "outcome": "upheld", "credit_amount": "1000.00", "resolution_note": "bots confirmed"}, as_="billing-manager")

    async def reopened():
        dispute = await api.get("dispute-svc", f"/v1/disputes/{d1}")
        return dispute if dispute["status"] == "in_review" and dispute["history"][-1]["action"] == "reopened" \
            else None

    dispute = await api.wait_until(reopened, timeout_s=60, what="the dispute reopened")
    reason = dispute["history"][-1]["note"]
    assert "rejected by adjustment-svc" in reason and "headroom" in reason and "1770.00" in reason, reason
    [refusal] = await api.get_all("adjustment-svc", "/v1/adjustments", dispute_id=d1)
    assert (refusal["status"], refusal["rejected_by"]) == ("rejected", "adjustment-svc")
    held = await _balance(api, invoice_id, "disputed_amount", "2600.00")  # the reopened dispute's hold stays
    assert Decimal(held["credited"]) == 0
    dead = [r for v, r in await read_all(kafka_bootstrap, dlq_topic(DISPUTES_TOPIC)) if v and v.get("subject") == d1]
    assert dead == []

    # The pending credit rejected, the dispute is resolved again and its credit goes through to a memo.
    await api.post("adjustment-svc", f"/v1/adjustments/{manual['adjustment_id']}/reject",
                   {"reason": "the disputes cover it"}, as_="billing-manager")
    await api.post("dispute-svc", f"/v1/disputes/{d1}/resolve", {
        "outcome": "upheld", "credit_amount": "1000.00", "resolution_note": "bots confirmed, again"},
        as_="billing-manager")

    async def credit_requested():
        pending = [a for a in await api.get_all("adjustment-svc", "/v1/adjustments", dispute_id=d1)
                   if a["status"] == "pending_approval"]
        return pending[0] if pending else None

    credit = await api.wait_until(credit_requested, timeout_s=60, what="the dispute's credit request")
    await api.post("adjustment-svc", f"/v1/adjustments/{credit['adjustment_id']}/approve",
                   {"comment": "credit the bots"}, as_="billing-manager-2")
    final = await _balance(api, invoice_id, "credited", "1000.00")
    assert Decimal(final["disputed_amount"]) == Decimal("1600.00")  # the two disputes still open


async def _balance(api, invoice_id: str, key: str, value: str) -> dict:
    async def check():
        balance = (await api.get("invoice-svc", f"/v1/invoices/{invoice_id}"))["balance"]
        return balance if Decimal(balance[key]) == Decimal(value) else None
    return await api.wait_until(check, timeout_s=60, what=f"invoice-svc {key}={value}")
