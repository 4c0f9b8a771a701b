"""A shadow preview (oversight.md O1) on the real database: priced as if OMS billed, its drafts live only under its
run id (never listed with invoices, never issued, never in KPIs), and the bill-run comparison shows the difference."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import (
    ANALYST,
    MANAGER,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    own_year,
    product,
)

pytestmark = pytest.mark.integration


async def _shadow(billing, period: str, bill_to: str, source: str = "oms") -> dict:
    response = await billing.client.post("/v1/bill-runs", headers=ANALYST, json={
        "period": period, "mode": "preview", "bill_to_account_ids": [bill_to], "source_system": source})
    assert response.status_code == 202, response.text
    return await billing.finish(response.json()["run_id"])


async def _compare(billing, left: str, right: str) -> dict:
    response = await billing.client.get("/v1/reconciliations/bill-runs", params={"left": left, "right": right},
                                        headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


async def _kpis(billing, y: int) -> dict:
    response = await billing.client.get("/v1/kpis", params={"from": f"{y}-03-01", "to": f"{y}-04-30"},
                                        headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


async def test_shadow_preview_is_priced_as_if_oms_billed_and_never_mixes_with_invoices(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    period, bill_to, cpm = f"{y}-03", f"A-{u}", f"CPM-{u}"
    await configure(invoice_feed, products=[product(cpm)], accounts=[account(bill_to)],
                    contracts=[contract(f"C-{u}", advertiser=bill_to, bill_to=bill_to, start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": cpm, "rate": "4.00"}])])
    common = {"account_id": bill_to, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": cpm}
    await deliver(invoice_feed, [delivery(f"P{d}-{u}", day=f"{y}-03-0{d}", impressions=100_000, **common)
                                 for d in (1, 2, 3)])
    # OMS reports the same days (held: PIO bills them), one of them 10,000 impressions higher
    await deliver(invoice_feed, [delivery(f"O{d}-{u}", day=f"{y}-03-0{d}", impressions=n, source_system="oms",
                                          **common) for d, n in ((1, 100_000), (2, 110_000), (3, 100_000))])

    real = await billing.bill(period, "preview", [bill_to])
    drafts = await billing.invoices(bill_to_account_id=bill_to, period=period)
    kpis_before = await _kpis(billing, y)
    shadow = await _shadow(billing, period, bill_to)
    assert shadow["status"] == "completed" and shadow["source_system"] == "oms"
    # 310,000 impressions at 4.00 per 1,000 (the real preview bills PIO's 300,000: 1200.00)
    assert shadow["totals"] == {"USD": "1240.00"} and real["totals"] == {"USD": "1200.00"}

    # never listed with invoices, never in KPIs
    assert await billing.invoices(bill_to_account_id=bill_to, period=period) == drafts
    assert [i["total"] for i in drafts] == ["1200.00"]
    assert await _kpis(billing, y) == kpis_before

    diff = await _compare(billing, real["run_id"], shadow["run_id"])
    usage = [r for r in diff["items"] if r["kind"] == "usage"]
    assert [(r["line_item_id"], r["left_amount"], r["right_amount"], r["difference"]) for r in usage] == [
        (f"L-{u}", "1200.00", "1240.00", "40.00")]
    assert diff["left"]["source_system"] is None and diff["right"]["source_system"] == "oms"
    assert diff["totals"][0]["difference"] == "40.00"

    # never issued: a shadow run cannot be requested as issue, and issuing the period bills the billing source
    refused = await billing.client.post("/v1/bill-runs", headers=MANAGER, json={
        "period": period, "mode": "issue", "bill_to_account_ids": [bill_to], "source_system": "oms"})
    assert refused.status_code == 422, refused.text
    issued_run = await billing.bill(period, "issue", [bill_to])
    issued = await billing.issued_invoice(bill_to, period)
    assert issued["total"] == "1200.00"
    # a shadow preview still prices a group whose period is issued, and its drafts stay under its run id
    again = await _shadow(billing, period, bill_to)
    assert again["totals"] == {"USD": "1240.00"}
    after_issue = await _compare(billing, issued_run["run_id"], again["run_id"])
    assert after_issue["totals"][0]["difference"] == "40.00"
    # the issue run replaced the real preview's drafts; the first shadow preview's drafts are still there
    replaced = await _compare(billing, real["run_id"], shadow["run_id"])
    assert (replaced["totals"][0]["left_amount"], replaced["totals"][0]["right_amount"]) == ("0.00", "1240.00")


async def test_bill_run_comparison_refuses_unknown_and_mismatched_runs(billing):
    unknown = await billing.client.get("/v1/reconciliations/bill-runs", params={"left": "nope", "right": "nada"},
                                       headers=READER)
    assert unknown.status_code == 404
    same = await billing.client.get("/v1/reconciliations/bill-runs", params={"left": "x", "right": "x"},
                                    headers=READER)
    assert same.status_code == 422
    bad_cursor = await billing.client.get("/v1/reconciliations/bill-runs",
                                          params={"left": "x", "right": "y", "cursor": "e30="}, headers=READER)
    assert bad_cursor.status_code == 422
