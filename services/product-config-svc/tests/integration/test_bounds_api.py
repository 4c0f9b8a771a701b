"""Rates, fees, budgets, prices and percentages out of range, or written in other than ASCII digits, are refused at
the REST API with 422 problem+json naming the field, and nothing is written (issue 17 items 4 and 12)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

HUGE = "1" + "0" * 30  # the red team's rate: accepted (201) before, then it failed deliveries and bill runs


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


async def _contract_body(api, line: str, **line_terms) -> dict:
    advertiser = await api.account(f"ADV{line}")
    product = await api.product(f"P{line}")
    return {"contract_id": f"IO-{line}-{api.unique}", "advertiser_account_id": advertiser["account_id"],
            "bill_to_account_id": advertiser["account_id"], "currency": "USD", "flight_start": "2026-01-01",
            "flight_end": "2026-12-31", "discount_pct": "5",
            "lines": [{"line_item_id": f"{line}-{api.unique}", "product_code": product["code"], "rate": "6.00",
                       "budget": "20000.00", **line_terms}]}


@pytest.mark.parametrize(("line_terms", "field"), [
    ({"rate": HUGE}, "lines.0.rate"),
    ({"rate": "1000000000"}, "lines.0.rate"),
    ({"rate": "6.1234567"}, "lines.0.rate"),
    ({"budget": "10000000000000"}, "lines.0.budget"),
    ({"rate": "١.٠٠"}, "lines.0.rate"),
    ({"budget": " 20000.00"}, "lines.0.budget"),
])
async def test_a_contract_with_an_out_of_range_or_non_ascii_line_is_422_and_not_created(config_api, line_terms,
                                                                                         field):
    api = config_api
    body = await _contract_body(api, "B", **line_terms)
    _refused(await api.client.post("/v1/contracts", headers=api.admin, json=body), field)
    assert (await api.client.get(f"/v1/contracts/{body['contract_id']}", headers=api.reader)).status_code == 404


async def test_an_out_of_range_percentage_or_fee_is_422(config_api):
    api = config_api
    body = await _contract_body(api, "PCT")
    _refused(await api.client.post("/v1/contracts", headers=api.admin, json={**body, "discount_pct": "100.5"}),
             "discount_pct")
    fee = await api.product("FEE", "flat_fee", rate=None)
    flat = {**body, "lines": [{"line_item_id": f"F-{api.unique}", "product_code": fee["code"], "fee": HUGE}]}
    _refused(await api.client.post("/v1/contracts", headers=api.admin, json=flat), "lines.0.fee")
    refused = await api.client.post("/v1/accounts", headers=api.admin, json={
        "account_id": f"TAX-{api.unique}", "type": "advertiser", "legal_name": "Tax Inc.", "currency": "USD",
        "tax_rates": {"ADV": "١٠"}})
    _refused(refused, "tax_rates.ADV")
    assert (await api.client.get(f"/v1/accounts/TAX-{api.unique}", headers=api.reader)).status_code == 404


async def test_an_amendment_to_an_out_of_range_rate_is_422_and_changes_nothing(config_api):
    api = config_api
    body = await _contract_body(api, "AM")
    contract = (await api.ok("POST", "/v1/contracts", 201, json=body)).json()
    cid = contract["contract_id"]
    await api.ok("POST", f"/v1/contracts/{cid}/activate")
    before = await api.ok("GET", f"/v1/contracts/{cid}", headers=api.reader)
    amendment = {"effective_from": "2026-01-01", "reason": "back-dated rate change",
                 "lines": [{**body["lines"][0], "rate": HUGE}]}
    _refused(await api.client.post(f"/v1/contracts/{cid}/amendments", headers=api.admin, json=amendment),
             "lines.0.rate")
    nested = {"effective_from": "2026-01-01", "reason": "the same, under changes",
              "changes": {"lines": [{**body["lines"][0], "rate": HUGE}]}}
    _refused(await api.client.post(f"/v1/contracts/{cid}/amendments", headers=api.admin, json=nested),
             "changes.lines.0.rate")
    after = await api.ok("GET", f"/v1/contracts/{cid}", headers=api.reader)
    assert after.headers["ETag"] == before.headers["ETag"] and after.json() == before.json()


async def test_an_out_of_range_rate_card_or_tier_price_is_422_and_the_product_unchanged(config_api):
    api = config_api
    product = await api.product("CARD")
    path = f"/v1/products/{product['code']}"
    before = await api.ok("GET", path, headers=api.reader)
    next_month = (date.today() + timedelta(days=31)).isoformat()  # a live product's prices change ahead only
    for card, field in (({"price": HUGE}, "price"), ({"price": "6.00\n"}, "price"),
                        ({"tiers": [{"up_to": 1000, "price": "6.00"}, {"up_to": None, "price": HUGE}]},
                         "tiers.1.price")):
        refused = await api.client.post(f"{path}/rate-cards", headers=api.admin,
                                        json={"effective_from": next_month, "currency": "USD", **card})
        _refused(refused, field)
    after = await api.ok("GET", path, headers=api.reader)
    assert after.headers["ETag"] == before.headers["ETag"]
