"""One call to another Mediabill service with a short-lived `service` token: its JSON object, or the named
`unavailable` error saying why not (unreachable, an error status, a body that is not a JSON object)."""

from __future__ import annotations

from typing import Any

import httpx

from mediabill_common.auth.service_token import ServiceToken


async def json_object(client: httpx.AsyncClient, token: ServiceToken, method: str, path: str, *, service: str,
                      unavailable: type[Exception], params: dict[str, str | int] | None = None,
                      body: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        response = await client.request(method, path, params=params, json=body, headers=token.headers())
    except httpx.HTTPError as exc:
        raise unavailable(f"{service} unreachable: {type(exc).__name__}") from exc
    if response.status_code >= 400:
        raise unavailable(f"{service} answered {response.status_code} to {method} {path}: {response.text[:300]}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise unavailable(f"{service} answered {method} {path} with a body that is not JSON") from exc
    if not isinstance(answer, dict):
        raise unavailable(f"{service} answered {method} {path} with no object")
    return answer
