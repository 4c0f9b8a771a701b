"""Bill runs through the real API and executor, on configuration and deliveries fed through the real consumer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from invoice_svc.testing.billing import (
    ANALYST,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    line,
    numbering_is_gapless,
    product,
)
from mediabill_common.events.catalog import INVOICES_TOPIC
from mediabill_common.testing.kafka import flush_outbox, read_topic

pytestmark = pytest.mark.integration


async def _io7(feed, u: str) -> dict:
    """billing-rules.md's worked example: IO-7 billed to an agency (15% commission, 5% discount); L1 display at a
    negotiated $6.00 CPM with a $20,000.00 budget."""
    agency, advertiser, p = f"AGY-{u}", f"ADV-{u}", f"DISPLAY-{u}"
    io = contract(f"IO-7-{u}", advertiser=advertiser, bill_to=agency, discount_pct="5", agency_commission_pct="15",
                  po_number=f"PO-{u}", lines=[{"line_item_id": f"L1-{u}", "product_code": p, "rate": "6.00",
                                               "budget": "20000.00"}])
    await configure(feed, products=[product(p, price="8.00")],
                    accounts=[account(agency, type="agency", terms=45), account(advertiser)], contracts=[io])
    return {"agency": agency, "advertiser": advertiser, "product": p, "contract": io["contract_id"],
            "line": f"L1-{u}"}


async def test_worked_example_io7_bills_the_remaining_budget_net_of_discount_and_commission(
        invoice_feed, billing, unique):
    io = await _io7(invoice_feed, unique)
    base = {"account_id": io["advertiser"], "contract_id": io["contract"], "line_item_id": io["line"],
            "product_code": io["product"]}
    # $18,000.00 billed in earlier months: 3,000,000 impressions at $6.00 CPM in January
    await deliver(invoice_feed, [delivery(f"D-jan-{unique}-{d}", day=f"2025-01-{d:02d}", impressions=1_000_000,
                                          **base) for d in (5, 6, 7)])
    await billing.bill("2025-01", "issue", [io["agency"]])
    await deliver(invoice_feed, [delivery(f"D-feb-{unique}-{d}", day=f"2025-02-{d:02d}", impressions=250_000,
                                          **base) for d in (3, 4)])
    run = await billing.bill("2025-02", "issue", [io["agency"]])
    assert run["counts"]["invoices"] == 1 and run["progress"] == {"done": 1, "total": 1}

    invoice = await billing.issued_invoice(io["agency"], "2025-02")
    usage = line(invoice, "usage")
    assert (usage["quantity"], usage["amount"]) == (333_333, "2000.00")
    over = line(invoice, "over_delivery")
    assert (over["quantity"], over["value"], over["amount"]) == (166_667, "1000.00", "0.00")
    assert line(invoice, "discount")["amount"] == "-100.00"
    assert line(invoice, "agency_commission")["amount"] == "-285.00"
    assert invoice["total"] == "1615.00" and run["totals"] == {"USD": "1615.00"}
    assert invoice["po_number"] == f"PO-{unique}" and invoice["contract_id"] == io["contract"]
    assert date.fromisoformat(invoice["due_date"]) - date.fromisoformat(invoice["issue_date"]) == timedelta(45)
    assert invoice["balance"]["balance_due"] == "1615.00" and invoice["balance"]["status"] == "issued"
    assert [e["kind"] for e in await exceptions_of(billing.ctx, io["agency"], "budget_exhausted")] \
        == ["budget_exhausted"]


async def test_preview_builds_drafts_a_rerun_replaces_them_and_issue_numbers_and_publishes(
        invoice_feed, billing, unique):
    io = await _io7(invoice_feed, unique)
    base = {"account_id": io["advertiser"], "contract_id": io["contract"], "line_item_id": io["line"],
            "product_code": io["product"]}
    await deliver(invoice_feed, [delivery(f"D-{unique}", day="2025-03-10", impressions=100_000, **base)])
    for _ in range(2):
        await billing.bill("2025-03", "preview", [io["agency"]])
        drafts = await billing.invoices(bill_to_account_id=io["agency"], period="2025-03")
        assert [(d["status"], d["invoice_number"], d["total"]) for d in drafts] == [("draft", None, "484.50")]
    assert (await billing.invoice(drafts[0]["invoice_id"]))["balance"] is None

    issue_run = await billing.bill("2025-03", "issue", [io["agency"]])
    invoices = await billing.invoices(bill_to_account_id=io["agency"], period="2025-03")
    assert [i["status"] for i in invoices] == ["issued"]  # the draft was replaced
    listed = await billing.client.get("/v1/bill-runs", params={"period": "2025-03", "status": "completed",
                                                               "limit": 200}, headers=READER)
    assert listed.status_code == 200, listed.text
    runs = listed.json()["items"]
    assert issue_run["run_id"] in [r["run_id"] for r in runs]
    assert {(r["period"], r["status"]) for r in runs} == {("2025-03", "completed")}  # only what was asked for
    issued = invoices[0]
    year = date.fromisoformat(issued["issue_date"]).year
    assert issued["invoice_number"].startswith(f"INV-{year}-") and len(issued["invoice_number"]) == 17
    assert await numbering_is_gapless(billing.ctx) == (True, "ok")

    await flush_outbox(billing.ctx)
    [(event, record)] = await read_topic(
        billing.ctx.settings.kafka_bootstrap_servers, INVOICES_TOPIC,
        lambda v, r: v and v["type"] == "InvoiceIssued" and v["data"]["invoice_id"] == issued["invoice_id"], count=1)
    assert record.key.decode() == io["agency"]
    data = event["data"]
    assert (data["invoice_number"], data["total"], data["period"], data["account_id"]) == \
        (issued["invoice_number"], "484.50", "2025-03", io["advertiser"])
    assert [ln["kind"] for ln in data["lines"]] == ["usage", "discount", "agency_commission"]


async def test_issue_needs_a_billing_manager_and_a_valid_period(billing):
    response = await billing.client.post("/v1/bill-runs", json={"period": "2025-03", "mode": "issue"},
                                         headers=ANALYST)
    assert response.status_code == 403
    response = await billing.client.post("/v1/bill-runs", json={"period": "2025-13", "mode": "preview"},
                                         headers=ANALYST)
    assert response.status_code == 422
    assert (await billing.client.post("/v1/bill-runs", json={"period": "2025-03", "mode": "preview"},
                                      headers=READER)).status_code == 403
    assert (await billing.client.get("/v1/bill-runs/nope", headers=READER)).status_code == 404


async def test_a_config_admin_asking_to_issue_is_told_issuing_needs_a_billing_manager(billing):
    from mediabill_common.testing.plugin import bearer

    response = await billing.client.post("/v1/bill-runs", json={"period": "2025-03", "mode": "issue"},
                                         headers=bearer("config-admin"))
    assert response.status_code == 403
    assert "issue a bill run you need the role billing-manager" in response.json()["detail"]
    analyst = await billing.client.post("/v1/bill-runs", json={"period": "2025-03", "mode": "issue"},
                                        headers=ANALYST)
    assert analyst.status_code == 403
    assert analyst.json()["detail"] == ("To issue a bill run you need the role billing-manager. "
                                        "You hold: billing-analyst.")


async def test_a_bill_run_for_a_future_period_or_an_unknown_bill_to_is_refused_with_the_reason(
        invoice_feed, billing, unique):
    from invoice_svc.testing.billing import MANAGER

    next_month = (date.today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    future = await billing.client.post("/v1/bill-runs", json={"period": next_month, "mode": "preview"},
                                       headers=ANALYST)
    assert future.status_code == 422
    assert f"period {next_month} has not begun" in future.json()["detail"]

    await configure(invoice_feed, accounts=[account(f"AGY-{unique}", type="agency")])
    unknown = await billing.client.post(
        "/v1/bill-runs", json={"period": "2025-03", "mode": "issue",
                               "bill_to_account_ids": [f"AGY-{unique}", f"NOPE-{unique}"]}, headers=MANAGER)
    assert unknown.status_code == 422
    assert f"NOPE-{unique}" in unknown.json()["detail"] and f"AGY-{unique}," not in unknown.json()["detail"]
    [error] = unknown.json()["errors"]
    assert (error["field"], error["in"]) == ("bill_to_account_ids", "body")
    assert error["message"].startswith(f"unknown bill-to account NOPE-{unique}:")
    known = await billing.client.post(
        "/v1/bill-runs", json={"period": "2025-03", "mode": "preview", "bill_to_account_ids": [f"AGY-{unique}"]},
        headers=ANALYST)
    assert known.status_code == 202
    assert (await billing.finish(known.json()["run_id"]))["status"] == "completed"


async def test_an_invoice_is_found_by_its_number(invoice_feed, billing, unique):
    io = await _io7(invoice_feed, unique)
    await deliver(invoice_feed, [delivery(f"D-{unique}", day="2025-05-10", impressions=100_000,
                                          account_id=io["advertiser"], contract_id=io["contract"],
                                          line_item_id=io["line"], product_code=io["product"])])
    await billing.bill("2025-05", "issue", [io["agency"]])
    issued = await billing.issued_invoice(io["agency"], "2025-05")
    number = issued["invoice_number"]
    assert [i["invoice_id"] for i in await billing.invoices(invoice_number=number)] == [issued["invoice_id"]]
    assert [i["invoice_id"] for i in await billing.invoices(invoice_number=f" {number.lower()} ")] == \
        [issued["invoice_id"]]
    assert await billing.invoices(invoice_number="INV-1999-99999999") == []
