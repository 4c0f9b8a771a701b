"""HTTP adapters of the PriceSimulator and SourceReconciler ports: invoice-svc's POST /v1/price-simulations and
GET /v1/reconciliations/sources."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from mediabill_common.auth.service_token import ServiceToken
from product_config_svc.app.ports import PriceSimulationFailed

PATH = "/v1/price-simulations"
RECONCILIATION_PATH = "/v1/reconciliations/sources"
PAGE = 500
MAX_PAGES = 20      # 10,000 (line item, day) rows of one product and month: beyond that, say so rather than loop


class HttpPriceSimulator:
    """Calls invoice-svc with a short-lived `service` token; every failure becomes a PriceSimulationFailed."""

    def __init__(self, client: httpx.AsyncClient, *, jwt_secret: str, subject: str = "product-config-svc") \
            -> None:
        self._client = client
        self._token = ServiceToken(sub=subject, secret=jwt_secret)

    async def price(self, request: dict[str, Any]) -> dict[str, Any]:
        return await _json_object(self._client.post(PATH, json=request, headers=self._token.headers()),
                                  "the simulation", "a draft invoice")


class HttpSourceReconciler:
    """Reads invoice-svc's source reconciliation with a short-lived `service` token, every page of it; every
    failure becomes a PriceSimulationFailed (invoice-svc did not answer)."""

    def __init__(self, client: httpx.AsyncClient, *, jwt_secret: str, subject: str = "product-config-svc") \
            -> None:
        self._client = client
        self._token = ServiceToken(sub=subject, secret=jwt_secret)

    async def day_statuses(self, *, period: str, product_code: str, left: str, right: str,
                           tolerance_pct: Decimal) -> dict[date, list[str]]:
        params: dict[str, Any] = {"period": period, "product_code": product_code, "left": left, "right": right,
                                  "tolerance_pct": format(tolerance_pct, "f"), "limit": PAGE}
        out: dict[date, list[str]] = {}
        for _ in range(MAX_PAGES):
            body = await self._page(params)
            for row in body.get("items") or []:
                out.setdefault(date.fromisoformat(row["service_date"]), []).append(str(row["status"]))
            if not body.get("next_cursor"):
                return out
            params["cursor"] = body["next_cursor"]
        raise PriceSimulationFailed(f"the source reconciliation of {product_code} in {period} has more than "
                                    f"{PAGE * MAX_PAGES} rows")

    async def _page(self, params: dict[str, Any]) -> dict[str, Any]:
        return await _json_object(
            self._client.get(RECONCILIATION_PATH, params=params, headers=self._token.headers()),
            "the source reconciliation", "a reconciliation")


async def _json_object(call: Awaitable[httpx.Response], what: str, expected: str) -> dict[str, Any]:
    """invoice-svc's answer to `call` as a JSON object; every failure (unreachable, refused, not JSON, not an
    object) becomes a PriceSimulationFailed naming `what` was asked."""
    try:
        response = await call
    except httpx.HTTPError as exc:
        raise PriceSimulationFailed(f"invoice-svc unreachable: {type(exc).__name__}: {exc}".rstrip(": ")) from exc
    if response.status_code >= 400:
        raise PriceSimulationFailed(f"invoice-svc refused {what} ({response.status_code}): {_detail(response)}",
                                    status=response.status_code)
    try:
        body = response.json()
    except ValueError as exc:
        raise PriceSimulationFailed("invoice-svc answered with a body that is not JSON") from exc
    if not isinstance(body, dict):
        raise PriceSimulationFailed(f"invoice-svc answered with a body that is not {expected}")
    return body


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("title") or body)
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            detail += " [" + "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors[:5]
                                       if isinstance(e, dict)) + "]"
        return detail
    return str(body)[:500]
