"""HTTP adapter of the PriceSimulator port: invoice-svc's POST /v1/price-simulations."""

from __future__ import annotations

from typing import Any

import httpx

from mediabill_common.auth.service_token import ServiceToken
from product_config_svc.app.ports import PriceSimulationFailed

PATH = "/v1/price-simulations"


class HttpPriceSimulator:
    """Calls invoice-svc with a short-lived `service` token; every failure becomes a PriceSimulationFailed."""

    def __init__(self, client: httpx.AsyncClient, *, jwt_secret: str, subject: str = "product-config-svc") \
            -> None:
        self._client = client
        self._token = ServiceToken(sub=subject, secret=jwt_secret)

    async def price(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(PATH, json=request, headers=self._token.headers())
        except httpx.HTTPError as exc:
            raise PriceSimulationFailed(f"invoice-svc unreachable: {type(exc).__name__}: {exc}".rstrip(": "))\
                from exc
        if response.status_code >= 400:
            raise PriceSimulationFailed(f"invoice-svc refused the simulation ({response.status_code}): "
                                        f"{_detail(response)}", status=response.status_code)
        try:
            body = response.json()
        except ValueError as exc:
            raise PriceSimulationFailed("invoice-svc answered with a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise PriceSimulationFailed("invoice-svc answered with a body that is not a draft invoice")
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
