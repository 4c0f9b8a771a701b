"""A small REST client for the four services, authenticating as the people who use them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from datetime import datetime

import httpx

from mediabill_common.auth.mint import mint_token
from mediabill_common.settings import ServiceSettings

# dispute-svc's demo clock (tools/demo/timeline.py); the header a demo stack honours, refused elsewhere.
DEMO_TIME_HEADER = "Mediabill-Demo-Time"

PEOPLE = {
    "config-admin": "carla.config@retailer.example",
    "billing-analyst": "ana.analyst@retailer.example",
    "billing-analyst-2": "omar.analyst@retailer.example",
    "billing-manager": "max.manager@retailer.example",
    "billing-manager-2": "mia.manager@retailer.example",
    "billing-director": "dora.director@retailer.example",
    "service": "demo-platform",
}


class ApiError(Exception):
    def __init__(self, status: int, body: dict | str, what: str) -> None:
        super().__init__(f"{what} -> {status}: {body}")
        self.status = status
        self.body = body


class Api:
    def __init__(self, urls: dict[str, str]) -> None:
        self._urls = urls
        secret = ServiceSettings().jwt_hs256_secret or ""
        self._tokens = {who: mint_token(sub, [who.removesuffix("-2")], secret=secret, ttl_s=6 * 3600)
                        for who, sub in PEOPLE.items()}
        self._http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=20))

    @classmethod
    def from_env(cls) -> Api:
        return cls({
            "product-config-svc": os.environ.get("PRODUCT_CONFIG_SVC_URL", "http://127.0.0.1:8001"),
            "invoice-svc": os.environ.get("INVOICE_SVC_URL", "http://127.0.0.1:8002"),
            "dispute-svc": os.environ.get("DISPUTE_SVC_URL", "http://127.0.0.1:8003"),
            "adjustment-svc": os.environ.get("ADJUSTMENT_SVC_URL", "http://127.0.0.1:8004"),
            "collections": os.environ.get("COLLECTIONS_URL", "http://127.0.0.1:8005"),
            "accounting-svc": os.environ.get("ACCOUNTING_SVC_URL", "http://127.0.0.1:8006"),
        })

    def url(self, service: str) -> str:
        return self._urls[service]

    async def close(self) -> None:
        await self._http.aclose()

    async def get(self, service: str, path: str, *, as_: str = "billing-analyst", **params) -> dict:
        response = await self._http.get(self._urls[service] + path, headers=self._auth(as_),
                                         params={k: v for k, v in params.items() if v is not None})
        return self._body(response, f"GET {service}{path}")

    async def download(self, service: str, path: str, *, as_: str = "billing-analyst", **params) -> httpx.Response:
        """A document (a PDF): the response itself, for its bytes and headers."""
        response = await self._http.get(self._urls[service] + path, headers=self._auth(as_),
                                         params={k: v for k, v in params.items() if v is not None})
        if response.status_code >= 400:
            raise ApiError(response.status_code, response.text, f"GET {service}{path}")
        return response

    async def post(self, service: str, path: str, body: dict | None = None, *, as_: str, ok_conflict=False,
                   at: datetime | None = None, idempotency_key: str | None = None) -> dict:
        """POST as `as_`; `at` names the time of the change on a demo stack (dispute-svc's DEMO_CLOCK). The
        Idempotency-Key is derived from role, path and body (a repeated call is the same request) unless given."""
        payload = body or {}
        key = idempotency_key or \
            hashlib.sha256(f"{as_}{path}{json.dumps(payload, sort_keys=True)}".encode()).hexdigest()[:40]
        headers = {**self._auth(as_), "Idempotency-Key": key}
        if at is not None:
            headers[DEMO_TIME_HEADER] = at.isoformat()
        response = await self._http.post(self._urls[service] + path, json=payload, headers=headers)
        if ok_conflict and response.status_code == 409:
            return {"conflict": response.json()}
        return self._body(response, f"POST {service}{path}")

    async def patch(self, service: str, path: str, body: dict, *, as_: str) -> dict:
        response = await self._http.patch(self._urls[service] + path, json=body, headers=self._auth(as_))
        return self._body(response, f"PATCH {service}{path}")

    async def put(self, service: str, path: str, body: dict, *, as_: str) -> dict:
        response = await self._http.put(self._urls[service] + path, json=body, headers=self._auth(as_))
        return self._body(response, f"PUT {service}{path}")

    async def get_all(self, service: str, path: str, **params) -> list[dict]:
        items, cursor = [], None
        while True:
            page = await self.get(service, path, limit=500, cursor=cursor, **params)
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    async def wait_until(self, check, *, timeout_s: float = 300, every_s: float = 1.0, what: str = "condition"):
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            result = await check()
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(every_s)

    async def finished_run(self, path: str, *, what: str, timeout_s: float = 600, on_state=None) -> dict:
        """Poll invoice-svc's run at `path` (a bill run, an assurance run) until it completed; RuntimeError if it
        failed. `on_state` sees each state read (to print progress)."""
        async def finished() -> dict | None:
            state = await self.get("invoice-svc", path)
            if on_state is not None:
                on_state(state)
            if state["status"] == "failed":
                raise RuntimeError(f"{what} failed: {state}")
            return state if state["status"] == "completed" else None

        return await self.wait_until(finished, timeout_s=timeout_s, every_s=2, what=what)

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._tokens[who]}", "X-Correlation-Id": f"demo-{uuid.uuid4().hex[:12]}"}

    @staticmethod
    def _body(response: httpx.Response, what: str) -> dict:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise ApiError(response.status_code, body, what)
        return body
