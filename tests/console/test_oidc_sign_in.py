"""Signing in to the console with OpenID Connect (authorization code with PKCE) against a stub identity provider
that this test starts on a local port: the console sends the person there, exchanges the code with its verifier,
keeps the provider's token in its session, and a service verifying tokens by the provider's JWKS accepts it with
the roles read from the configured claim."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from console.app import build_app
from console.settings import ConsoleSettings
from mediabill_common.auth.verify import InvalidToken, JwtVerifier
from mediabill_common.testing.polling import poll_until_sync
from mediabill_common.testing.ports import free_port

CLIENT_ID = "mediabill-console"
AUDIENCE = "mediabill"
CONSOLE = "http://console.test"


class StubProvider:
    """An identity provider with one person (a billing manager whose roles are in the 'groups' claim)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery), Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]), Route("/jwks", self.jwks)])

    async def discovery(self, _request: Request) -> JSONResponse:
        return JSONResponse({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                             "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks"})

    async def authorize(self, request: Request) -> RedirectResponse:
        q = request.query_params
        assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID and q["code_challenge_method"] == "S256"
        code = f"code-{len(self.codes)}"
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        grant = self.codes.pop(str(form["code"]), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or grant["challenge"] != challenge or form["redirect_uri"] != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": AUDIENCE, "sub": "max.manager@retailer.example", "iat": now,
                  "exp": now + 600, "groups": ["billing-manager"]}
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 600})

    async def jwks(self, _request: Request) -> JSONResponse:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]})


@pytest.fixture(scope="module")
def provider():
    stub = StubProvider()
    server = uvicorn.Server(uvicorn.Config(stub.app, host="127.0.0.1", port=stub.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    poll_until_sync(lambda: server.started, what="the stub identity provider to start", timeout_s=30)
    yield stub
    server.should_exit = True
    thread.join(timeout=10)


def _console(provider: StubProvider) -> httpx.AsyncClient:
    settings = ConsoleSettings(console_auth="oidc", console_oidc_issuer=provider.issuer,
                               console_oidc_client_id=CLIENT_ID, console_public_url=CONSOLE, jwt_roles_claim="groups",
                               jwt_hs256_secret=None)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(settings)), base_url=CONSOLE)


async def test_a_person_signs_in_through_the_provider_and_services_accept_the_token(provider):
    async with _console(provider) as console, httpx.AsyncClient() as browser:
        assert (await console.get("/auth/config")).json()["mode"] == "oidc"
        assert (await console.post("/auth/dev/sign-in", json={"name": "x", "roles": ["auditor"]})).status_code == 404
        login = await console.get("/auth/login")
        assert login.status_code == 302
        to_provider = login.headers["location"]
        assert to_provider.startswith(f"{provider.issuer}/authorize?")
        back = await browser.get(to_provider)  # the person signs in at the provider, which sends them back
        assert back.status_code == 302
        callback = urlsplit(back.headers["location"])
        assert f"{callback.scheme}://{callback.netloc}{callback.path}" == f"{CONSOLE}/auth/callback"
        signed_in = await console.get(f"/auth/callback?{callback.query}")
        assert signed_in.status_code == 302, signed_in.text
        session = (await console.get("/auth/session")).json()
        assert session["sub"] == "max.manager@retailer.example"
        assert session["roles"] == ["billing-manager"]

    token = signed_in.cookies["mediabill_session"]
    services = JwtVerifier(hs256_secret=None, jwks_url=f"{provider.issuer}/jwks", issuer=provider.issuer,
                           audience=AUDIENCE, roles_claim="groups")
    principal = services.verify(token)
    assert principal.sub == "max.manager@retailer.example"
    assert "billing-manager" in principal.roles and "billing-analyst" in principal.roles
    # Read through another claim, the same token carries no role: the setting decides where roles are.
    elsewhere = JwtVerifier(hs256_secret=None, jwks_url=f"{provider.issuer}/jwks", issuer=provider.issuer,
                            audience=AUDIENCE, roles_claim="roles")
    assert elsewhere.verify(token).roles == frozenset()
    with pytest.raises(InvalidToken):  # and a token from anyone else's key is refused
        services.verify(jwt.encode({"sub": "x", "exp": int(time.time()) + 60, "iss": provider.issuer,
                                    "aud": AUDIENCE, "groups": ["billing-director"]},
                                   rsa.generate_private_key(public_exponent=65537, key_size=2048),
                                   algorithm="RS256", headers={"kid": "k1"}))


async def test_a_callback_not_started_by_this_browser_is_refused(provider):
    async with _console(provider) as attacker, _console(provider) as victim, httpx.AsyncClient() as browser:
        login = await attacker.get("/auth/login")
        back = await browser.get(login.headers["location"])
        query = urlsplit(back.headers["location"]).query
        # The victim's browser never started a sign-in: the callback carries a state it does not hold.
        refused = await victim.get(f"/auth/callback?{query}")
        assert refused.status_code == 400
        assert "mediabill_session" not in refused.cookies
        assert (await victim.get("/auth/session")).status_code == 401
        # The attacker's own browser holds the state, but the provider refuses a code it already exchanged.
        assert (await attacker.get(f"/auth/callback?{query}")).status_code == 302
        replayed = await attacker.get(f"/auth/callback?{query}")
        assert replayed.status_code in (400, 502)
