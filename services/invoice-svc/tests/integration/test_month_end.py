"""Month-end reads on the real database (close.md C9, C10): a period's billing status and the unbilled snapshot.

Each test bills a period of its own (a year drawn from the test's unique id), since billing status and the
unbilled snapshot answer for every group of a period.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_svc.testing.billing import (
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


async def _status(billing, period: str) -> dict:
    response = await billing.client.get(f"/v1/periods/{period}/billing-status", headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


async def _unbilled(billing, period: str) -> dict:
    response = await billing.client.get("/v1/unbilled", params={"period": period}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


def _mine(body: dict, contract_id: str) -> list[tuple]:
    return sorted((r["reason"], r["product_code"], r["gross"], r["discount"], r["commission"], r["net"])
                  for r in body["lines"] if r["contract_id"] == contract_id)


async def test_billing_is_complete_once_a_full_issue_run_is_newer_than_the_last_delivery(invoice_feed, billing,
                                                                                        unique):
    u, y = unique, own_year(unique)
    period = f"{y}-03"
    await configure(invoice_feed, products=[product(f"P-{u}")], accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-01-01",
                                        end=f"{y}-12-31", lines=[{"line_item_id": f"L-{u}",
                                                                  "product_code": f"P-{u}", "rate": "4.00"}])])
    await deliver(invoice_feed, [delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=f"C-{u}",
                                          line_item_id=f"L-{u}", product_code=f"P-{u}", day=f"{y}-03-04",
                                          impressions=250_000)])
    before = await _status(billing, period)
    assert before["complete"] is False and "no issue run" in before["reasons"][0] and before["documents"] == []

    partial = await billing.bill(period, "issue", [f"A-{u}"])  # limited to some bill-to accounts: not enough
    assert partial["counts"]["invoices"] == 1
    assert (await _status(billing, period))["complete"] is False

    run = await billing.finish((await billing.request(period, "issue", None))["run_id"])
    status = await _status(billing, period)
    assert status["complete"] is True and status["reasons"] == []
    assert status["last_issue_run"]["run_id"] == run["run_id"] and status["locked"] is False
    # the period's documents: every invoice issued for it (a full run also bills other contracts' pending
    # rule-13 changes, which share the database), this one's included
    issued = await billing.invoices(period=period, status="issued")
    assert f"A-{u}" in {i["bill_to_account_id"] for i in issued}
    total = sum(Decimal(i["total"]) for i in issued)
    subtotal = sum(Decimal(i["subtotal"]) for i in issued)
    assert [(d["currency"], d["count"], Decimal(d["subtotal"]), Decimal(d["total"]), d["voided"])
            for d in status["documents"]] == [("USD", len(issued), subtotal, total, 0)]

    await deliver(invoice_feed, [delivery(f"D2-{u}", account_id=f"A-{u}", contract_id=f"C-{u}",
                                          line_item_id=f"L-{u}", product_code=f"P-{u}", day=f"{y}-03-09",
                                          impressions=1_000)])
    late = await _status(billing, period)
    assert late["complete"] is False and "after the snapshot of the last issue run" in late["reasons"][0]


async def test_unbilled_shows_unissued_groups_net_of_discount_and_commission_without_tax(invoice_feed, billing,
                                                                                       unique):
    u, y = unique, own_year(unique)
    period = f"{y}-03"
    cpm, fee, ghost = f"CPM-{u}", f"FEE-{u}", f"GHOST-{u}"
    agency, adv = f"AGY-{u}", f"ADV-{u}"
    fee_product = product(fee, model="flat_fee", price=None, tax_code="VAT")
    await configure(invoice_feed, products=[product(cpm, tax_code="VAT"), fee_product],
                    accounts=[account(agency, type="agency", tax_rates={"VAT": "20"}), account(adv)],
                    contracts=[contract(f"C-{u}", advertiser=adv, bill_to=agency, start=f"{y}-03-01",
                                        end=f"{y}-04-30", discount_pct="10", agency_commission_pct="15",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": cpm, "rate": "4.00"},
                                               {"line_item_id": f"F-{u}", "product_code": fee, "fee": "610.00"}])])
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"L-{u}", product_code=cpm,
                 day=f"{y}-03-04", impressions=250_000),
        delivery(f"D2-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"G-{u}", product_code=ghost,
                 day=f"{y}-03-05", impressions=7_000)])

    body = await _unbilled(billing, period)
    # usage 1000.00; flat fee 610 x 31/61 days = 310.00; discount -131.00 and commission -176.85 split pro rata
    assert _mine(body, f"C-{u}") == [
        ("not_yet_run", cpm, "1000.00", "-100.00", "-135.00", "765.00"),
        ("not_yet_run", fee, "310.00", "-31.00", "-41.85", "237.15")]
    held = [i for i in body["unpriced"] if i["line_item_id"] == f"G-{u}"]
    assert [(i["status"], i["product_code"], i["quantities"]["impressions"]) for i in held] == \
        [("unpriced", ghost, 7_000)]
    assert "unknown_product" in held[0]["reason"]

    stored = await billing.client.post("/v1/unbilled-snapshots", json={"period": period}, headers=MANAGER)
    assert stored.status_code == 201, stored.text
    again = await billing.client.get(f"/v1/unbilled-snapshots/{stored.json()['snapshot_id']}", headers=READER)
    assert again.status_code == 200 and _mine(again.json(), f"C-{u}") == _mine(body, f"C-{u}")
    refused = await billing.client.post("/v1/unbilled-snapshots", json={"period": period}, headers=READER)
    assert refused.status_code == 403

    await billing.bill(period, "issue", [agency])
    assert _mine(await _unbilled(billing, period), f"C-{u}") == []

    await deliver(invoice_feed, [delivery(f"D1-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"L-{u}",
                                          product_code=cpm, day=f"{y}-03-04", impressions=300_000, revision=1)])
    pending = await _unbilled(billing, period)
    # the restatement's usage delta, its discount and commission (and not its tax) are unbilled until April
    assert _mine(pending, f"C-{u}") == [("pending_restatement", cpm, "200.00", "-20.00", "-27.00", "153.00")]
    row = next(r for r in pending["lines"] if r["contract_id"] == f"C-{u}")
    assert row["service_periods"] == [period] and row["gl_revenue_account"] == "4000"
    assert {t["currency"] for t in pending["totals"]} >= {"USD"}
    assert Decimal(row["net"]) == Decimal(row["gross"]) + Decimal(row["discount"]) + Decimal(row["commission"])

    # April's invoice bills the change: nothing of March is unbilled any more (and nothing is left pending for
    # other tests' runs, which share the database)
    await billing.bill(f"{y}-04", "issue", [agency])
    assert _mine(await _unbilled(billing, period), f"C-{u}") == []


async def test_variance_compares_booked_delivered_and_billed_per_contract_line(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    period = f"{y}-03"
    cpm, fee = f"CPM-{u}", f"FEE-{u}"
    await configure(invoice_feed, products=[product(cpm), product(fee, model="flat_fee", price=None)],
                    accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                        end=f"{y}-04-30",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": cpm, "rate": "4.00",
                                                "budget": "3050.00"},
                                               {"line_item_id": f"K-{u}", "product_code": cpm, "rate": "4.00",
                                                "budget": "1500.00"},
                                               {"line_item_id": f"F-{u}", "product_code": fee, "fee": "610.00"}])])
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"L-{u}", product_code=cpm,
                 day=f"{y}-03-04", impressions=500_000),
        delivery(f"D2-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"K-{u}", product_code=cpm,
                 day=f"{y}-03-04", impressions=500_000)])

    async def report(threshold: str = "10") -> dict[str, dict]:
        response = await billing.client.get("/v1/variance", params={"period": period, "threshold_pct": threshold},
                                            headers=READER)
        assert response.status_code == 200, response.text
        return {ln["line_item_id"]: ln for ln in response.json()["lines"] if ln["contract_id"] == f"C-{u}"}

    def figures(ln: dict) -> tuple:
        return (ln["booked"], ln["delivered"], ln["over_delivery_value"], ln["billed"], ln["delivered_vs_booked"],
                ln["delivered_vs_booked_pct"], ln["billed_vs_delivered"], ln["flagged"])

    before = await report()
    # 3050 booked over 61 days: 1550.00 in March; 500,000 at 4.00 CPM delivered 2000.00, nothing billed yet
    assert figures(before[f"L-{u}"]) == ("1550.00", "2000.00", "0.00", "0.00", "450.00", "29.03", "-2000.00", True)
    # capped at the 1500.00 budget, 500.00 delivered beyond it
    assert figures(before[f"K-{u}"])[:4] == ("762.30", "1500.00", "500.00", "0.00")
    assert figures(before[f"F-{u}"])[:4] == ("310.00", "310.00", None, "0.00")

    await billing.bill(period, "issue", [f"A-{u}"])
    after = await report("50")
    assert figures(after[f"L-{u}"]) == ("1550.00", "2000.00", "0.00", "2000.00", "450.00", "29.03", "0.00", False)
    assert after[f"F-{u}"]["billed"] == "310.00" and not after[f"F-{u}"]["flagged"]
    collected = (await billing.client.get("/v1/variance", params={"period": period},
                                          headers=READER)).json()["collected"]
    [mine] = [c for c in collected if c["contract_id"] == f"C-{u}"]
    assert (mine["total"], mine["paid"], mine["balance_due"]) == ("3810.00", "0.00", "3810.00")
    bad = await billing.client.get("/v1/variance", params={"period": period, "threshold_pct": "-1"}, headers=READER)
    assert bad.status_code == 422


async def test_billing_status_lists_the_open_exceptions_of_the_periods_deliveries_with_revenue_at_risk(
        invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    may, june = f"{y}-05", f"{y}-06"
    assert (await _status(billing, may))["open_exceptions"] == {"count": 0, "by_kind": [], "revenue_at_risk": [],
                                                                "over_delivery_value": []}
    await configure(invoice_feed, accounts=[account(f"A-{u}")])
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"L-{u}",
                 product_code=f"NOPE-{u}", day=f"{y}-05-04", impressions=7_000),
        delivery(f"D2-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"L-{u}",
                 product_code=f"NOPE-{u}", day=f"{y}-06-02", impressions=1_000)])

    exceptions = (await _status(billing, may))["open_exceptions"]
    kinds = {k["kind"] for k in exceptions["by_kind"]}
    assert "unknown_product" in kinds and exceptions["count"] == sum(k["open"] for k in exceptions["by_kind"])
    # June's delivery is June's: May's figures hold May's 7,000 impressions only, held back and unpriced
    [at_risk] = exceptions["revenue_at_risk"]
    assert (at_risk["open"], at_risk["unpriced"], at_risk["value"]) == (exceptions["count"], exceptions["count"],
                                                                         "0.00")
    assert {q["unit"]: q["quantity"] for q in at_risk["unpriced_quantity"]} == {"impressions": 7_000 * len(kinds)}
    assert (await _status(billing, june))["open_exceptions"]["count"] == len(kinds)
