"""httpx adapter for invoice-svc: the delivery ledger and the pure re-price, as a `service` caller."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from cachetools import TTLCache

from dispute_svc.app.ports import InvoiceServiceClient, InvoiceServiceUnavailable
from mediabill_common.auth.service_token import ServiceToken

_MAX_PAGES = 200  # 100,000 delivery records at 500 a page: far beyond one contract's month


class HttpInvoiceServiceClient:
    def __init__(self, base_url: str, *, secret: str, timeout_s: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._token = ServiceToken(sub="dispute-svc", secret=secret)
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, transport=transport)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, path, headers=self._token.headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise InvoiceServiceUnavailable(
                f"invoice-svc unreachable at {self._client.base_url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise InvoiceServiceUnavailable(
                f"invoice-svc answered {response.status_code} to {method} {path}: {_detail(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise InvoiceServiceUnavailable(f"invoice-svc answered {method} {path} with a body that is not "
                                            "JSON") from exc

    async def deliveries(self, *, contract_id: str | None, account_id: str | None, date_from: date, date_to: date,
                         line_item_id: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"from": date_from.isoformat(), "to": date_to.isoformat(), "limit": 500,
                                  "include": "revisions"}
        if line_item_id:
            params["line_item_id"] = line_item_id
        if contract_id:
            params["contract_id"] = contract_id
        elif account_id:
            params["account_id"] = account_id
        items: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            page = await self._call("GET", "/v1/deliveries", params=params)
            items.extend(page.get("items") or [])
            if not page.get("next_cursor"):
                return items
            params["cursor"] = page["next_cursor"]
        raise InvoiceServiceUnavailable(f"invoice-svc returned more than {_MAX_PAGES} pages of deliveries for "
                                        f"{line_item_id or contract_id or account_id} from {date_from} to {date_to}")

    async def price_simulation(self, request: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/v1/price-simulations", json=request)

    async def aclose(self) -> None:
        await self._client.aclose()


class RememberedPriceSimulations:
    """An invoice-svc client that keeps the answers of its price simulations.

    A simulation is a pure function of its request (period, product, contract, bill-to, already billed,
    deliveries), so an identical request gets the answer already given: an evidence pack opened again, or another
    dispute on the same invoice, costs invoice-svc one ledger read instead of one more simulation per product.
    Any change to what is priced (a new delivery revision, new terms) is another request and is priced afresh.
    Answers expire after `ttl_s` so a pricing change deployed to invoice-svc shows within that time; at most
    `size` are kept (least recently used go first). Errors are never kept. Ledger reads always go through.
    An answer is shared by every caller that asks the same: read it, never change it."""

    def __init__(self, client: InvoiceServiceClient, *, size: int = 1024, ttl_s: float = 300.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._answers: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=size, ttl=ttl_s, timer=timer)

    async def deliveries(self, **kwargs: Any) -> list[dict[str, Any]]:
        return await self._client.deliveries(**kwargs)

    async def price_simulation(self, request: dict[str, Any]) -> dict[str, Any]:
        key = hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        answer = self._answers.get(key)
        if answer is None:
            answer = await self._client.price_simulation(request)
            self._answers[key] = answer
        return answer

    async def aclose(self) -> None:
        closer = getattr(self._client, "aclose", None)
        if closer is not None:
            await closer()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])[:500]
    return str(body)[:300]
