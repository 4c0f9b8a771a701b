"""Request limits at the edge of every service, on the real apps and database:
- a request without a token that verifies is answered 401 before any of its body is read (a 200 MiB POST once
  raised product-config-svc's memory by 800 MiB on its way to a 401);
- an authenticated body over the limit (`http_max_body_bytes`, 1 MiB by default) is answered 413 problem+json
  and writes nothing, whether its size is declared (Content-Length: refused unread) or streamed in chunks
  (counted while it arrives, refused as soon as it passes the limit); a body of exactly the limit is served."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from sqlalchemy import text

from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import bearer, run_migrations
from tests.contracts.conftest import BUILDERS

pytestmark = pytest.mark.integration
MiB = 1024 * 1024
CHUNK = 64 * 1024
WRITES = {"product-config-svc": "/v1/products", "invoice-svc": "/v1/bill-runs", "dispute-svc": "/v1/disputes",
          "adjustment-svc": "/v1/adjustments"}


class StreamedBody:
    """A request body handed to the server chunk by chunk, counting the bytes the server pulled."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.content), CHUNK):
            chunk = self.content[start:start + CHUNK]
            self.pulled += len(chunk)
            yield chunk


async def _app_client(name: str, database_url: str, kafka_bootstrap: str, **settings):
    settings_cls, build, build_app = BUILDERS[name]
    run_migrations(name, database_url)
    ctx = build(settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, **settings))
    return ctx, httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://limits")


@pytest.fixture(scope="session")
async def limited_apps(database_url, kafka_bootstrap):
    """{service: (ctx, client)} with the default settings."""
    built = {name: await _app_client(name, database_url, kafka_bootstrap) for name in BUILDERS}
    yield built
    for ctx, client in built.values():
        await client.aclose()
        await ctx.close()


def _not_verifying_tokens() -> dict[str, dict[str, str]]:
    now = int(time.time())
    claims = {"sub": "mallory", "roles": ["billing-director"]}
    return {
        "no token": {},
        "alg none": {"Authorization": f"Bearer {jwt.encode({**claims, 'exp': now + 600}, None, algorithm='none')}"},
        "expired": {"Authorization": "Bearer " + jwt.encode({**claims, "exp": now - 60},
                                                            ServiceSettings().jwt_hs256_secret, algorithm="HS256")},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
    }


def _product_body(code: str, size: int) -> bytes:
    """A valid new product, padded with JSON whitespace to exactly `size` bytes."""
    body = json.dumps({"code": code, "name": "Sponsored display", "channel": "onsite",
                       "pricing_model": "cpm"}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def _products(ctx, code: str) -> int:
    async with ctx.sessions() as session:
        return (await session.execute(text("SELECT count(*) FROM product_config_svc.products WHERE code = :c"),
                                      {"c": code})).scalar_one()


def _admin(**extra: str) -> dict[str, str]:
    return bearer(["config-admin"]) | {"Content-Type": "application/json"} | extra


@pytest.mark.parametrize("service", list(WRITES))
async def test_a_post_without_a_token_that_verifies_is_refused_before_its_body_is_read(service, limited_apps):
    _, client = limited_apps[service]
    for case, headers in _not_verifying_tokens().items():
        body = StreamedBody(b" " * (8 * MiB))
        response = await client.post(WRITES[service], content=body, headers=headers)
        assert (response.status_code, response.headers["content-type"]) == (401, "application/problem+json"), case
        assert body.pulled == 0, f"{case}: {body.pulled} bytes read before the token was checked"


async def test_a_declared_body_over_the_limit_is_refused_unread(limited_apps, unique):
    ctx, client = limited_apps["product-config-svc"]
    body = StreamedBody(_product_body(f"P-{unique}", MiB + 1))
    response = await client.post("/v1/products", content=body, headers=_admin(**{"Content-Length": str(MiB + 1)}))
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
    assert response.json()["status"] == 413 and "1048576 bytes" in response.json()["detail"]
    assert body.pulled == 0
    assert await _products(ctx, f"P-{unique}") == 0


async def test_a_streamed_body_over_the_limit_is_refused_once_it_passes_the_limit(limited_apps, unique):
    ctx, client = limited_apps["product-config-svc"]
    body = StreamedBody(_product_body(f"P-{unique}", 4 * MiB))
    response = await client.post("/v1/products", content=body, headers=_admin())
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
    assert body.pulled <= MiB + CHUNK  # stopped at the first chunk past the limit
    assert await _products(ctx, f"P-{unique}") == 0


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_body_of_exactly_the_limit_is_served(limited_apps, unique, streamed):
    ctx, client = limited_apps["product-config-svc"]
    content = _product_body(f"P-{unique}", MiB)
    response = await client.post("/v1/products", content=StreamedBody(content) if streamed else content,
                                 headers=_admin())
    assert response.status_code == 201, response.text
    assert await _products(ctx, f"P-{unique}") == 1


async def test_the_body_limit_follows_the_setting(database_url, kafka_bootstrap, unique):
    ctx, client = await _app_client("product-config-svc", database_url, kafka_bootstrap, http_max_body_bytes=4096)
    try:
        over = await client.post("/v1/products", content=_product_body(f"P-{unique}-a", 4097), headers=_admin())
        at = await client.post("/v1/products", content=_product_body(f"P-{unique}-b", 4096), headers=_admin())
    finally:
        await client.aclose()
        await ctx.close()
    assert (over.status_code, at.status_code) == (413, 201), (over.text, at.text)
    assert "4096 bytes" in over.json()["detail"]
