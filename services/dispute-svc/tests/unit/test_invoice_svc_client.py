"""The httpx adapter for invoice-svc: follows delivery pages, sends a service token, reports failures; price
simulations are remembered by request."""

from datetime import date

import httpx
import pytest
from fastapi import FastAPI, Header, Request

from dispute_svc.adapters.invoice_svc_client import HttpInvoiceServiceClient, RememberedPriceSimulations
from dispute_svc.app.ports import InvoiceServiceUnavailable
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.logging import correlation_id_var

SECRET = "unit-test-secret-0123456789-0123456789"


def ledger_app(calls: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/deliveries")
    async def deliveries(request: Request, authorization: str = Header()) -> dict:
        principal = JwtVerifier(hs256_secret=SECRET).verify(authorization.removeprefix("Bearer "))
        calls.append({**request.query_params, "sub": principal.sub, "roles": sorted(principal.roles),
                      "token": authorization, "correlation_id": request.headers.get("x-correlation-id")})
        if request.query_params.get("cursor") is None:
            return {"items": [{"delivery_id": "D1"}], "next_cursor": "page-2"}
        return {"items": [{"delivery_id": "D2"}], "next_cursor": None}

    return app


async def test_deliveries_follow_every_page_with_a_service_token_and_the_correlation_id():
    calls: list[dict] = []
    client = HttpInvoiceServiceClient("http://i", secret=SECRET,
                                      transport=httpx.ASGITransport(app=ledger_app(calls)))
    reset = correlation_id_var.set("corr-7")
    try:
        items = await client.deliveries(contract_id="IO-7", account_id=None, line_item_id="L1",
                                        date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    finally:
        correlation_id_var.reset(reset)
    await client.aclose()
    assert [i["delivery_id"] for i in items] == ["D1", "D2"]
    assert calls[0]["contract_id"] == "IO-7" and calls[0]["from"] == "2026-10-01" and calls[1]["cursor"] == "page-2"
    assert calls[0]["line_item_id"] == "L1" and calls[0]["include"] == "revisions"
    assert (calls[0]["sub"], calls[0]["roles"]) == ("dispute-svc", ["service"])
    assert calls[0]["token"] == calls[1]["token"], "one token serves both pages"
    assert [c["correlation_id"] for c in calls] == ["corr-7", "corr-7"]


async def test_self_serve_deliveries_are_asked_by_account_for_every_line_item_when_none_is_named():
    calls: list[dict] = []
    client = HttpInvoiceServiceClient("http://i", secret=SECRET,
                                      transport=httpx.ASGITransport(app=ledger_app(calls)))
    await client.deliveries(contract_id=None, account_id="adv-1",
                            date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    await client.aclose()
    assert calls[0]["account_id"] == "adv-1" and "contract_id" not in calls[0] and "line_item_id" not in calls[0]


async def test_error_answers_and_unreachable_hosts_raise_with_the_reason():
    client = HttpInvoiceServiceClient("http://i", secret=SECRET,
                                      transport=httpx.ASGITransport(app=FastAPI()))
    with pytest.raises(InvoiceServiceUnavailable, match="answered 404 to POST /v1/price-simulations"):
        await client.price_simulation({})
    await client.aclose()
    down = HttpInvoiceServiceClient("http://127.0.0.1:9", secret=SECRET, timeout_s=2)
    with pytest.raises(InvoiceServiceUnavailable, match=r"invoice-svc unreachable at http://127\.0\.0\.1:9"):
        await down.price_simulation({})
    await down.aclose()


class _Pricing:
    """invoice-svc's simulation as a counter: answers with the number of the call, fails when told to."""

    def __init__(self) -> None:
        self.simulations: list[dict] = []
        self.ledger_reads = 0
        self.failing = False

    async def price_simulation(self, request: dict) -> dict:
        self.simulations.append(request)
        if self.failing:
            raise InvoiceServiceUnavailable("invoice-svc answered 503")
        return {"call": len(self.simulations)}

    async def deliveries(self, **_kwargs) -> list[dict]:
        self.ledger_reads += 1
        return [{"delivery_id": f"D{self.ledger_reads}"}]


def _request(impressions: int) -> dict:
    return {"period": "2026-10", "product": {"code": "display", "rate_cards": []},
            "deliveries": [{"delivery_id": "D1", "impressions": impressions}], "already_billed": []}


async def test_the_same_simulation_is_answered_from_memory_and_another_is_priced_afresh():
    pricing, now = _Pricing(), [0.0]
    client = RememberedPriceSimulations(pricing, ttl_s=60, timer=lambda: now[0])
    first = await client.price_simulation(_request(1000))
    # the same request built again (another evidence pack on the invoice), keys in another order
    again = await client.price_simulation(dict(reversed(list(_request(1000).items()))))
    restated = await client.price_simulation(_request(1200))  # a new delivery revision: another request
    assert (first, again, restated) == ({"call": 1}, {"call": 1}, {"call": 2})
    assert len(pricing.simulations) == 2
    # the ledger is always read afresh
    assert [await client.deliveries(contract_id="IO-1") for _ in range(2)] == [[{"delivery_id": "D1"}],
                                                                              [{"delivery_id": "D2"}]]
    now[0] = 61.0  # past the TTL: a pricing change deployed to invoice-svc shows
    assert await client.price_simulation(_request(1000)) == {"call": 3}


async def test_a_failed_simulation_is_not_remembered():
    pricing = _Pricing()
    client = RememberedPriceSimulations(pricing)
    pricing.failing = True
    with pytest.raises(InvoiceServiceUnavailable):
        await client.price_simulation(_request(1000))
    pricing.failing = False
    assert await client.price_simulation(_request(1000)) == {"call": 2}
