"""Two delivery sources compared per service day on the real database (oversight.md O1): a PIO -> OMS parallel run."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import READER, account, configure, contract, deliver, delivery, own_year, product

pytestmark = pytest.mark.integration
FIELDS = ("left_quantity", "right_quantity", "difference", "difference_pct", "status", "left_value", "right_value",
          "value_difference", "billed")


async def _reconcile(billing, **params) -> dict:
    response = await billing.client.get("/v1/reconciliations/sources", params={"left": "pio", "right": "oms",
                                                                              **params}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


async def _parallel_run(invoice_feed, u: str, y: int) -> None:
    """Line L of contract C on CPM at 4.00: PIO bills (first seen); OMS reports the same days, two of them off."""
    cpm = f"CPM-{u}"
    await configure(invoice_feed, products=[product(cpm)], accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": cpm, "rate": "4.00"}])])
    common = {"account_id": f"A-{u}", "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": cpm}
    pio = {1: 100_000, 2: 100_000, 3: 100_000, 4: 50_000}
    oms = {1: 100_000, 2: 100_900, 3: 102_000, 5: 30_000}
    await deliver(invoice_feed, [delivery(f"P{d}-{u}", day=f"{y}-03-0{d}", impressions=n, **common)
                                 for d, n in pio.items()])
    await deliver(invoice_feed, [delivery(f"O{d}-{u}", day=f"{y}-03-0{d}", impressions=n, source_system="oms",
                                          **common) for d, n in oms.items()])


async def test_reconciliation_shows_both_sources_per_day_with_status_value_and_summary(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    await _parallel_run(invoice_feed, u, y)

    page = await _reconcile(billing, period=f"{y}-03", contract_id=f"C-{u}")
    rows = {r["service_date"]: tuple(r[f] for f in FIELDS) for r in page["items"]}
    # value = the day's impressions x 4.00 per 1,000 (the line's effective price in the period's preview)
    assert rows == {
        f"{y}-03-01": (100_000, 100_000, 0, "0.00", "matched", "400.00", "400.00", "0.00", True),
        f"{y}-03-02": (100_000, 100_900, 900, "0.90", "within_tolerance", "400.00", "403.60", "3.60", True),
        f"{y}-03-03": (100_000, 102_000, 2000, "2.00", "beyond_tolerance", "400.00", "408.00", "8.00", True),
        f"{y}-03-04": (50_000, None, -50_000, None, "only_left", "200.00", None, "-200.00", True),
        f"{y}-03-05": (None, 30_000, 30_000, None, "only_right", None, "120.00", "120.00", True),
    }
    assert page["items"][0]["unit"] == "impressions" and page["items"][0]["currency"] == "USD"
    assert page["summary"] == {
        "rows": {"matched": 1, "within_tolerance": 1, "beyond_tolerance": 1, "only_left": 1, "only_right": 1},
        "values": [{"currency": "USD", "left_value": "1400.00", "right_value": "1331.60", "difference": "-68.40"}],
        "unpriced_rows": 0}

    wider = await _reconcile(billing, period=f"{y}-03", contract_id=f"C-{u}", tolerance_pct="2")
    assert [r["status"] for r in wider["items"]][:3] == ["matched", "within_tolerance", "within_tolerance"]
    other_month = await _reconcile(billing, period=f"{y}-04", contract_id=f"C-{u}")
    assert other_month["items"] == [] and other_month["summary"]["rows"]["matched"] == 0


async def test_reconciliation_filters_sorts_and_pages(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    await _parallel_run(invoice_feed, u, y)
    period, contract_id = f"{y}-03", f"C-{u}"

    first = await _reconcile(billing, period=period, contract_id=contract_id, sort="-difference", limit=2)
    assert [r["difference"] for r in first["items"]] == [-50_000, 30_000] and first["next_cursor"]
    rest = await _reconcile(billing, period=period, contract_id=contract_id, sort="-difference", limit=2,
                            cursor=first["next_cursor"])
    assert [r["difference"] for r in rest["items"]] == [2000, 900] and rest["next_cursor"]
    beyond = await _reconcile(billing, period=period, contract_id=contract_id, status="beyond_tolerance")
    assert [r["service_date"] for r in beyond["items"]] == [f"{y}-03-03"]
    assert beyond["summary"]["rows"]["matched"] == 1      # the summary is the whole query's
    none = await _reconcile(billing, period=period, product_code=f"OTHER-{u}")
    assert none["items"] == []

    for bad in ({"right": "pio"}, {"tolerance_pct": "-1"}, {"tolerance_pct": "abc"}, {"period": "2025-13"},
                {"status": "odd"}, {"sort": "colour"}, {"cursor": "bm90LWpzb24"},
                {"sort": "-difference", "cursor": "eyJzIjoiLWRpZmZlcmVuY2UiLCJrIjpbIngiXX0="},
                {"cursor": first["next_cursor"]}):
        response = await billing.client.get("/v1/reconciliations/sources", headers=READER, params={
            "period": period, "left": "pio", "right": "oms", "contract_id": contract_id} | bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await billing.client.get("/v1/reconciliations/sources", params={"period": period}, headers=READER)
    assert missing.status_code == 422


async def test_a_line_no_source_bills_is_valued_over_the_left_sources_records(invoice_feed, billing, unique):
    """Both sources are shadow (the product names a third one): the line is priced over the left source's records,
    whose total falls in the rate card's first tier (5.00), not over the right's (second tier, 4.00)."""
    u, y = unique, own_year(unique)
    cpm = f"CPM-{u}"
    tiered = product(cpm) | {"billing_sources": [{"source_system": "gam", "effective_from": f"{y}-01-01"}],
                             "rate_cards": [{"effective_from": f"{y}-01-01", "currency": "USD", "price": "5.00",
                                             "tiers": [{"up_to": 150_000, "price": "5.00"},
                                                       {"up_to": None, "price": "4.00"}]}]}
    await configure(invoice_feed, products=[tiered], accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                        end=f"{y}-03-31", lines=[{"line_item_id": f"L-{u}", "product_code": cpm}])])
    common = {"account_id": f"A-{u}", "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": cpm,
              "day": f"{y}-03-02"}
    await deliver(invoice_feed, [delivery(f"P-{u}", impressions=100_000, **common),
                                 delivery(f"O-{u}", impressions=200_000, source_system="oms", **common)])
    page = await _reconcile(billing, period=f"{y}-03", contract_id=f"C-{u}")
    [row] = page["items"]
    assert (row["left_value"], row["right_value"], row["billed"]) == ("500.00", "1000.00", False)
