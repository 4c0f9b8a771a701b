"""httpx adapter for invoice-svc: the delivery ledger and the pure re-price, as a `service` caller."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from mediabill_common.auth.service_token import ServiceToken

from dispute_svc.app.ports import InvoiceServiceUnavailable

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


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])[:500]
    return str(body)[:300]
