"""First- vs third-party measurement on the real database (oversight.md O2): rule 5 made visible before and after a
bill run issues the lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_svc.testing.billing import (
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
FIELDS = ("billing_basis", "threshold_pct", "first_party_impressions", "third_party_impressions", "discrepancy_pct",
          "status", "quantity_billed", "billed", "first_party_value", "value_at_stake")


async def _rows(billing, period: str, contract_id: str, **params) -> dict:
    response = await billing.client.get("/v1/reconciliations/measurement",
                                        params={"period": period, "contract_id": contract_id, **params},
                                        headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


def _figures(page: dict) -> dict[str, tuple]:
    return {row["line_item_id"]: tuple(row[f] for f in FIELDS) for row in page["items"]}


async def test_measurement_shows_discrepancy_status_and_value_at_stake_before_and_after_issue(
        invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    period, cpm, clicks = f"{y}-03", f"CPM-{u}", f"CPC-{u}"
    await configure(invoice_feed, products=[product(cpm), product(clicks, model="cpc", price="0.50")],
                    accounts=[account(f"A-{u}"), account(f"B-{u}")],
                    contracts=[
                        contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                 end=f"{y}-03-31", billing_basis="discrepancy_tolerance",
                                 lines=[{"line_item_id": f"L1-{u}", "product_code": cpm, "rate": "4.00"},
                                        {"line_item_id": f"L2-{u}", "product_code": cpm, "rate": "4.00"},
                                        {"line_item_id": f"K-{u}", "product_code": clicks}]),
                        contract(f"M-{u}", advertiser=f"B-{u}", bill_to=f"B-{u}", start=f"{y}-03-01",
                                 end=f"{y}-03-31",
                                 lines=[{"line_item_id": f"L3-{u}", "product_code": cpm, "rate": "4.00"}])])
    common = {"account_id": f"A-{u}", "contract_id": f"C-{u}", "product_code": cpm, "day": f"{y}-03-04"}
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", line_item_id=f"L1-{u}", impressions=1_000_000, third_party_impressions=800_000, **common),
        delivery(f"D2-{u}", line_item_id=f"L2-{u}", impressions=500_000, third_party_impressions=480_000, **common),
        delivery(f"DK-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"K-{u}", product_code=clicks,
                 day=f"{y}-03-04", clicks=100),
        delivery(f"D3-{u}", account_id=f"B-{u}", contract_id=f"M-{u}", line_item_id=f"L3-{u}", product_code=cpm,
                 day=f"{y}-03-04", impressions=200_000)])

    before = _figures(await _rows(billing, period, f"C-{u}"))
    # only the CPM lines; nothing billed yet: the whole first-party value is at stake
    assert set(before) == {f"L1-{u}", f"L2-{u}"}
    assert before[f"L1-{u}"] == ("discrepancy_tolerance", "10", 1_000_000, 800_000, "25.00", "beyond_threshold", 0,
                                 "0.00", "4000.00", "4000.00")
    assert before[f"L2-{u}"][2:] == (500_000, 480_000, "4.17", "within_threshold", 0, "0.00", "2000.00", "2000.00")

    await billing.bill(period, "issue", [f"A-{u}"])
    after = _figures(await _rows(billing, period, f"C-{u}"))
    # rule 5 billed 800,000 x 1.1 = 880,000 impressions (3520.00): 120,000 first-party impressions (480.00) at stake
    assert after[f"L1-{u}"] == ("discrepancy_tolerance", "10", 1_000_000, 800_000, "25.00", "beyond_threshold",
                                880_000, "3520.00", "4000.00", "480.00")
    # within the threshold rule 5 bills first-party: nothing at stake
    assert after[f"L2-{u}"][2:] == (500_000, 480_000, "4.17", "within_threshold", 500_000, "2000.00", "2000.00",
                                    "0.00")

    missing = _figures(await _rows(billing, period, f"M-{u}"))
    assert missing[f"L3-{u}"][:6] == ("first_party", "10", 200_000, None, None, "missing_third_party")


async def test_measurement_pages_in_contract_and_line_order(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    period, cpm = f"{y}-05", f"CPM-{u}"
    await configure(invoice_feed, products=[product(cpm)], accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-05-01",
                                        end=f"{y}-05-31",
                                        lines=[{"line_item_id": f"L{i}-{u}", "product_code": cpm, "rate": "4.00"}
                                               for i in (2, 1, 3)])])
    first = await _rows(billing, period, f"C-{u}", limit=2)
    assert [r["line_item_id"] for r in first["items"]] == [f"L1-{u}", f"L2-{u}"] and first["next_cursor"]
    rest = await _rows(billing, period, f"C-{u}", limit=2, cursor=first["next_cursor"])
    assert [r["line_item_id"] for r in rest["items"]] == [f"L3-{u}"] and rest["next_cursor"] is None
    for bad in ({"cursor": "bm90LWpzb24"}, {"cursor": "e30="}, {"colour": "red"}, {"period": "2025-13"}):
        response = await billing.client.get("/v1/reconciliations/measurement",
                                            params={"period": period, **bad}, headers=READER)
        assert response.status_code == 422, (bad, response.text)


async def test_measurement_totals_add_up_every_line_per_currency_with_unpriced_lines_left_out(
        invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    period, cpm = f"{y}-07", f"CPM-{u}"
    await configure(invoice_feed, products=[product(cpm)], accounts=[account(f"A-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-07-01",
                                        end=f"{y}-07-31", billing_basis="discrepancy_tolerance",
                                        lines=[{"line_item_id": f"L{i}-{u}", "product_code": cpm, "rate": "4.00"}
                                               for i in (1, 2, 3)])])
    common = {"account_id": f"A-{u}", "contract_id": f"C-{u}", "product_code": cpm, "day": f"{y}-07-04"}
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", line_item_id=f"L1-{u}", impressions=1_000_000, third_party_impressions=800_000, **common),
        delivery(f"D2-{u}", line_item_id=f"L2-{u}", impressions=500_000, third_party_impressions=480_000, **common)])
    await billing.bill(period, "issue", [f"A-{u}"])

    response = await billing.client.get("/v1/reconciliations/measurement/totals",
                                        params={"period": period, "contract_id": f"C-{u}"}, headers=READER)
    assert response.status_code == 200, response.text
    # L1 beyond (480.00 at stake), L2 within (0.00), L3 nothing delivered: within, nothing billed or at stake
    assert response.json() == {"period": period, "contract_id": f"C-{u}", "totals": [{
        "currency": "USD", "lines": 3, "within_threshold": 2, "beyond_threshold": 1, "missing_third_party": 0,
        "unpriced_lines": 0, "quantity_billed": 1_380_000, "billed": "5520.00", "first_party_value": "6000.00",
        "value_at_stake": "480.00"}]}
    # the same figures as the rows, added up
    rows = (await _rows(billing, period, f"C-{u}"))["items"]
    assert sum(Decimal(r["value_at_stake"]) for r in rows) == Decimal("480.00")

    for bad in ({"period": "2025-13"}, {"colour": "red", "period": period}):
        response = await billing.client.get("/v1/reconciliations/measurement/totals", params=bad, headers=READER)
        assert response.status_code == 422, (bad, response.text)
