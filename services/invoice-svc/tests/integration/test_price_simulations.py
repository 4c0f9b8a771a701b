"""POST /v1/price-simulations through the real app: pure pricing, problem+json errors, authentication."""

from __future__ import annotations

import asyncio
import copy
import json

import httpx
import pytest

from invoice_svc.bootstrap import build, build_app
from invoice_svc.settings import Settings
from mediabill_common.testing.plugin import bearer
from mediabill_common.testing.polling import poll_until

PATH = "/v1/price-simulations"

WORKED_EXAMPLE = {
    "period": "2024-06",
    "product": {"code": "DISPLAY", "name": "Onsite display", "channel": "onsite", "pricing_model": "cpm",
                "status": "live", "gl_revenue_account": "4000",
                "rate_cards": [{"effective_from": "2024-01-01", "currency": "USD", "price": "8.00"}]},
    "contract": {"contract_id": "IO-7", "status": "active", "advertiser_account_id": "ADV-1",
                 "bill_to_account_id": "AGY-1", "currency": "USD", "flight_start": "2024-01-01",
                 "flight_end": "2024-12-31", "discount_pct": "5", "agency_commission_pct": "15",
                 "lines": [{"line_item_id": "L1", "product_code": "DISPLAY", "rate": "6.00", "budget": "20000.00"}]},
    "bill_to": {"account_id": "AGY-1", "type": "agency", "legal_name": "Agency Ltd", "currency": "USD"},
    "already_billed": [{"line_item_id": "L1", "amount": "18000.00"}],
    "deliveries": [{"delivery_id": "D-1", "revision": 0, "source_system": "adserver", "account_id": "ADV-1",
                    "contract_id": "IO-7", "campaign_id": "C-1", "campaign_name": "Summer", "line_item_id": "L1",
                    "product_code": "DISPLAY", "delivery_date": "2024-06-03", "impressions": 500000,
                    "viewable_impressions": 0, "clicks": 0, "conversions": 0}],
}


def _client(database_url: str, kafka_bootstrap: str, **settings) -> httpx.AsyncClient:
    app = build_app(build(Settings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, **settings)))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
async def pricing_sim_client(database_url: str, kafka_bootstrap: str):
    async with _client(database_url, kafka_bootstrap) as client:
        yield client


async def test_worked_example_prices_to_1615_through_the_api(pricing_sim_client):
    resp = await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["subtotal"], body["discount_total"], body["commission_total"], body["tax_total"],
            body["total"], body["currency"]) == ("2000.00", "-100.00", "-285.00", "0.00", "1615.00", "USD")
    kinds = [(ln["kind"], ln["quantity"], ln["amount"], ln["value"]) for ln in body["lines"]]
    assert kinds == [("usage", 333333, "2000.00", None), ("over_delivery", 166667, "0.00", "1000.00"),
                     ("discount", 1, "-100.00", None), ("agency_commission", 1, "-285.00", None)]
    usage = body["lines"][0]
    assert (usage["unit_price"], usage["price_base_quantity"], usage["unit"], usage["campaign_name"]) == (
        "6.00", 1000, "impressions", "Summer")
    assert [e["kind"] for e in body["exceptions"]] == ["budget_exhausted"] and body["issuable"] is True


async def test_same_request_gives_the_same_draft(pricing_sim_client):
    headers = bearer(["billing-analyst"])
    one = await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE, headers=headers)
    two = await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE, headers=headers)
    assert one.json() == two.json()


async def test_simulation_never_touches_the_database(kafka_bootstrap: str):
    # Nothing listens on port 9: any database access would fail the request.
    async with _client("postgresql+asyncpg://nobody@127.0.0.1:9/none", kafka_bootstrap) as client:
        resp = await client.post(PATH, json=WORKED_EXAMPLE, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 200 and resp.json()["total"] == "1615.00"


async def test_deliveries_outside_the_period_or_of_another_product_are_422_naming_the_item(pricing_sim_client):
    body = copy.deepcopy(WORKED_EXAMPLE)
    stray = copy.deepcopy(body["deliveries"][0])
    stray.update(delivery_id="D-2", product_code="VIDEO")
    body["deliveries"][0]["delivery_date"] = "2024-07-01"
    body["deliveries"].append(stray)
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert "D-1" in fields["deliveries.0.delivery_date"] and "2024-06" in fields["deliveries.0.delivery_date"]
    assert "VIDEO" in fields["deliveries.1.product_code"]
    assert "deliveries.0.delivery_date" in problem["detail"]


async def test_malformed_money_is_422_with_field_errors_not_500(pricing_sim_client):
    body = copy.deepcopy(WORKED_EXAMPLE)
    body["contract"]["lines"][0]["rate"] = 6.0
    body["deliveries"][0]["impressions"] = -5
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.json()["errors"]}
    assert "contract.lines.0.rate" in fields and "deliveries.0.impressions" in fields


async def test_a_period_of_year_zero_is_422_not_500(pricing_sim_client):
    # Found while seeding the stateful API tests: "0000-01" matched the period pattern, then the calendar failed.
    body = copy.deepcopy(WORKED_EXAMPLE) | {"period": "0000-01"}
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422 and [e["field"] for e in resp.json()["errors"]] == ["period"]
    run = await pricing_sim_client.post("/v1/bill-runs", json={"period": "0000-01", "mode": "preview"},
                                        headers=bearer(["billing-analyst"]))
    assert run.status_code == 422


async def test_contract_billing_another_account_is_422(pricing_sim_client):
    body = copy.deepcopy(WORKED_EXAMPLE)
    body["bill_to"]["account_id"] = "SOMEONE-ELSE"
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "bill_to.account_id"


async def test_amended_contract_is_priced_with_the_terms_in_effect_for_the_period(pricing_sim_client):
    body = copy.deepcopy(WORKED_EXAMPLE)
    body["contract"]["versions"] = [
        {"amendment_no": 0, "effective_from": "2024-01-01", "terms": {"discount_pct": "5"}},
        {"amendment_no": 1, "effective_from": "2024-07-01", "terms": {"discount_pct": "10"}}]
    june = (await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))).json()
    body["period"] = "2024-07"
    body["deliveries"][0]["delivery_date"] = "2024-07-03"
    july = (await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))).json()
    assert (june["discount_total"], july["discount_total"]) == ("-100.00", "-200.00")


async def test_self_serve_simulation_uses_the_account_terms(pricing_sim_client):
    body = {
        "period": "2024-06",
        "product": {"code": "SPONSORED", "name": "Sponsored products", "channel": "onsite",
                    "pricing_model": "auction_cpc", "tax_code": "VAT"},
        "contract": None,
        "bill_to": {"account_id": "ADV-9", "type": "advertiser", "legal_name": "Brand", "currency": "EUR",
                    "tax_rates": {"VAT": "20"}},
        "deliveries": [{"delivery_id": "S-1", "revision": 0, "source_system": "auction", "account_id": "ADV-9",
                        "campaign_id": "C", "line_item_id": "LI", "product_code": "SPONSORED",
                        "delivery_date": "2024-06-09", "impressions": 100, "viewable_impressions": 90,
                        "clicks": 12, "conversions": 0, "media_cost": "10.005", "currency": "EUR"},
                       {"delivery_id": "S-1", "revision": 1, "source_system": "auction", "account_id": "ADV-9",
                        "campaign_id": "C", "line_item_id": "LI", "product_code": "SPONSORED",
                        "delivery_date": "2024-06-09", "impressions": 100, "viewable_impressions": 90,
                        "clicks": 10, "conversions": 0, "media_cost": "8.125", "currency": "EUR"}],
    }
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 200, resp.text
    out = resp.json()
    # Only the latest revision is priced: 8.125 -> 8.13; tax 20% -> 1.63
    assert (out["subtotal"], out["tax_total"], out["total"], out["currency"]) == ("8.13", "1.63", "9.76", "EUR")


async def test_simulation_without_a_token_is_401(pricing_sim_client):
    resp = await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


HUGE = "1" + "0" * 30


def _with_deliveries(count: int, **figures) -> dict:
    body = copy.deepcopy(WORKED_EXAMPLE)
    first = body["deliveries"][0]
    body["deliveries"] = [{**first, "delivery_id": f"D-{i}", **figures} for i in range(count)]
    return body


async def test_an_out_of_range_rate_is_422_naming_it_not_500(pricing_sim_client):
    body = copy.deepcopy(WORKED_EXAMPLE)
    body["contract"]["lines"][0]["rate"] = HUGE
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422 and resp.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in resp.json()["errors"]] == ["contract.lines.0.rate"]


async def test_deliveries_priced_past_what_an_invoice_holds_are_422_not_500(pricing_sim_client):
    body = _with_deliveries(1, impressions=2 ** 62)  # at $6.00 CPM: 27,670,116,110,564,327.42
    body["contract"]["lines"][0]["budget"] = None
    resp = await pricing_sim_client.post(PATH, json=body, headers=bearer(["billing-analyst"]))
    assert resp.status_code == 422, resp.text
    [error] = resp.json()["errors"]
    assert error["field"] == "deliveries" and "not below 100,000,000,000,000" in error["message"]


async def test_more_deliveries_than_the_cap_are_422_before_any_is_validated(database_url, kafka_bootstrap):
    async with _client(database_url, kafka_bootstrap, price_simulation_max_deliveries=3) as client:
        within = await client.post(PATH, json=_with_deliveries(3), headers=bearer(["billing-analyst"]))
        beyond = await client.post(PATH, json=_with_deliveries(4, impressions="lots"),
                                   headers=bearer(["billing-analyst"]))
    assert within.status_code == 200
    assert beyond.status_code == 422 and beyond.headers["content-type"] == "application/problem+json"
    # one error, about the count: none of the four (invalid) deliveries was looked at
    assert beyond.json()["errors"] == [{"field": "deliveries", "in": "body",
                                        "message": "at most 3 deliveries per simulation; 4 were sent"}]


@pytest.mark.parametrize("roles", [["auditor"], ["billing-analyst"], ["config-admin"], ["service"], []])
async def test_every_authenticated_caller_may_price_a_simulation_as_it_writes_nothing(pricing_sim_client, roles):
    """api.md: every authenticated caller may read; a simulation writes nothing (an auditor re-prices what was
    billed). What bounds its cost is the cap on deliveries and the worker threads, not a role."""
    resp = await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE, headers=bearer(roles))
    assert resp.status_code == 200, resp.text
    assert (await pricing_sim_client.post(PATH, json=WORKED_EXAMPLE)).status_code == 401


async def test_a_large_simulation_is_priced_off_the_event_loop_while_other_requests_are_served(
        database_url, kafka_bootstrap):
    app = build_app(build(Settings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)))
    pool = app.state.ctx.deps.simulations
    body = _with_deliveries(3000, impressions=100)  # about 0.75 MB, under the body limit
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        big = asyncio.create_task(client.post(PATH, json=body, headers=bearer(["billing-analyst"])))
        # The pool has no event to wait on (a test hook would be one more thing in the service): give the loop
        # to the request until it has handed the simulation to a worker.
        await poll_until(lambda: pool.in_threads > 0 or big.done(), what="the simulation to leave the event loop",
                         every_s=0)
        assert pool.in_threads == 1, "the simulation was priced on the event loop"
        live = await client.get("/health/live")
        assert live.status_code == 200 and not big.done()  # answered while the simulation was still pricing
        priced = await big
    assert priced.status_code == 200 and priced.json()["subtotal"] == "1800.00"  # 300,000 impressions at $6.00


async def test_a_simulation_at_the_delivery_cap_fits_invoice_svcs_body_limit(pricing_sim_client):
    """The cap, not the body limit, is what a caller meets: 5,000 realistic deliveries (some 1.7 MiB of JSON) are
    priced; one more is refused by the cap with its reason, not with 413."""
    at_cap = _with_deliveries(Settings().price_simulation_max_deliveries, impressions=1000)
    assert len(json.dumps(at_cap)) > 1024 * 1024
    priced = await pricing_sim_client.post(PATH, json=at_cap, headers=bearer(["billing-analyst"]))
    assert priced.status_code == 200, priced.text[:300]
    beyond = _with_deliveries(Settings().price_simulation_max_deliveries + 1, impressions=1000)
    refused = await pricing_sim_client.post(PATH, json=beyond, headers=bearer(["billing-analyst"]))
    assert refused.status_code == 422 and "at most 5000 deliveries" in refused.json()["errors"][0]["message"]
