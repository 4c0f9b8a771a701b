"""Reading dispute-svc's and adjustment-svc's lists for the checklist, over an in-memory transport: every page is
read, credits only, and any failure becomes ServiceUnavailable (the item says so; the checklist never 500s)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from accounting_svc.adapters import exposure_clients
from accounting_svc.adapters.exposure_clients import open_disputes, pending_credit_requests
from accounting_svc.app.ports import ServiceUnavailable


def _client(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://svc")


async def test_open_and_in_review_disputes_are_read_page_by_page_with_a_service_token():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.params["status"], request.url.params.get("cursor")))
        assert request.headers["authorization"].startswith("Bearer ")
        if request.url.params["status"] == "open" and "cursor" not in request.url.params:
            return httpx.Response(200, json={"items": [{"currency": "USD", "amount": "10.00"}], "next_cursor": "c2"})
        if request.url.params["status"] == "open":
            return httpx.Response(200, json={"items": [{"currency": "EUR", "amount": "2.50"}], "next_cursor": None})
        return httpx.Response(200, json={"items": [{"currency": "USD", "amount": "1.00"}], "next_cursor": None})

    found = await open_disputes(_client(handler), jwt_secret="s" * 32, subject="accounting-svc").open_amounts()
    assert found.amounts == [("USD", Decimal("10.00")), ("EUR", Decimal("2.50")), ("USD", Decimal("1.00"))]
    assert not found.partial
    assert seen == [("open", None), ("open", "c2"), ("in_review", None)]


async def test_only_pending_credits_count_and_a_list_longer_than_read_is_partial(monkeypatch):
    monkeypatch.setattr(exposure_clients, "MAX_PAGES", 2)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [{"kind": "credit", "currency": "USD", "total": "300.00"},
                                                   {"kind": "debit", "currency": "USD", "total": "9.00"}],
                                         "next_cursor": "more"})

    found = await pending_credit_requests(_client(handler), jwt_secret="s" * 32, subject="a").open_amounts()
    assert found.amounts == [("USD", Decimal("300.00"))] * 2
    assert found.partial


@pytest.mark.parametrize("answer", [
    httpx.Response(503, text="down"), httpx.Response(200, text="<html>"), httpx.Response(200, json=[1]),
    httpx.Response(200, json={"items": [{"currency": "USD", "amount": "lots"}]}),
    httpx.Response(200, json={"items": [{"amount": "1"}]}),
], ids=["error status", "not JSON", "not a page", "amount not a number", "item without currency"])
async def test_an_answer_not_as_documented_is_service_unavailable(answer):
    reader = open_disputes(_client(lambda request: answer), jwt_secret="s" * 32, subject="a")
    with pytest.raises(ServiceUnavailable, match="dispute-svc"):
        await reader.open_amounts()


async def test_an_unreachable_service_is_service_unavailable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServiceUnavailable, match="dispute-svc unreachable: ConnectError"):
        await open_disputes(_client(refuse), jwt_secret="s" * 32, subject="a").open_amounts()
