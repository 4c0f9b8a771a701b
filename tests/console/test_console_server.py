"""The console's process without a browser: development sign-in and the proxy, against a stand-in for the services
that records what reached it."""

from __future__ import annotations

import httpx
import jwt

from console.app import build_app
from console.settings import ConsoleSettings

SECRET = "console-test-secret-0123456789abcdef"
CONSOLE = "http://console.test"


def _console(seen: list[httpx.Request], *, auth: str = "dev") -> httpx.AsyncClient:
    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True}, headers={"etag": '"3"', "set-cookie": "upstream=1"})

    settings = ConsoleSettings(jwt_hs256_secret=SECRET, console_auth=auth,
                               console_service_urls={"invoice-svc": "http://invoice.internal:8002"})
    app = build_app(settings, transport=httpx.MockTransport(service))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=CONSOLE)


async def test_development_sign_in_mints_a_token_for_the_name_and_roles_picked():
    async with _console([]) as console:
        config = (await console.get("/auth/config")).json()
        assert config["mode"] == "dev" and "billing-analyst" in config["roles"] and "service" not in config["roles"]
        signed_in = await console.post("/auth/dev/sign-in", json={"name": "ana@retailer.example",
                                                                  "roles": ["billing-analyst"]})
        assert signed_in.status_code == 200
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("samesite", "SameSite")
        claims = jwt.decode(signed_in.cookies["mediabill_session"], SECRET, algorithms=["HS256"])
        assert claims["sub"] == "ana@retailer.example" and claims["roles"] == ["billing-analyst"]
        session = (await console.get("/auth/session")).json()
        assert session["sub"] == "ana@retailer.example" and session["roles"] == ["billing-analyst"]
        await console.post("/auth/sign-out")
        assert (await console.get("/auth/session")).status_code == 401


async def test_development_sign_in_refuses_roles_api_md_does_not_name_and_is_off_with_oidc():
    async with _console([]) as console:
        refused = await console.post("/auth/dev/sign-in", json={"name": "x", "roles": ["root"]})
        assert refused.status_code == 422 and "root" in refused.json()["detail"]
        assert (await console.post("/auth/dev/sign-in", json={"name": "x", "roles": ["service"]})).status_code == 422
    async with _console([], auth="oidc") as console:
        assert (await console.post("/auth/dev/sign-in", json={"name": "x", "roles": ["auditor"]})).status_code == 404


async def test_the_proxy_forwards_the_persons_token_and_nothing_of_the_browsers_own():
    seen: list[httpx.Request] = []
    async with _console(seen) as console:
        assert (await console.get("/api/invoice-svc/v1/invoices")).status_code == 401  # not signed in
        await console.post("/auth/dev/sign-in", json={"name": "max", "roles": ["billing-manager"]})
        token = console.cookies["mediabill_session"]
        answer = await console.post("/api/invoice-svc/v1/invoices/INV-1/void?x=1", json={"reason": "wrong"},
                                    headers={"origin": CONSOLE, "idempotency-key": "k-1", "if-match": '"2"'})
        assert answer.status_code == 201 and answer.headers["etag"] == '"3"'
        assert "set-cookie" not in answer.headers  # the service's cookies stay with the console
        [request] = seen
        assert str(request.url) == "http://invoice.internal:8002/v1/invoices/INV-1/void?x=1"
        assert request.headers["authorization"] == f"Bearer {token}"
        assert request.headers["idempotency-key"] == "k-1" and request.headers["if-match"] == '"2"'
        assert "cookie" not in request.headers and request.content == b'{"reason":"wrong"}'
        assert (await console.get("/api/unknown-svc/v1/x")).status_code == 404


async def test_a_write_from_another_sites_page_is_refused_before_it_reaches_a_service():
    seen: list[httpx.Request] = []
    async with _console(seen) as console:
        await console.post("/auth/dev/sign-in", json={"name": "max", "roles": ["billing-manager"]})
        for origin in ({"origin": "http://evil.example"}, {}):
            refused = await console.post("/api/invoice-svc/v1/invoices/INV-1/void", json={"reason": "x"},
                                         headers=origin)
            assert refused.status_code == 403
        assert seen == []
        assert (await console.get("/api/invoice-svc/v1/invoices")).status_code == 201  # reads need no Origin
