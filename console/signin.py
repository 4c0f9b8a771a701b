"""Signing in: development tokens (a person picks a name and roles; only with CONSOLE_AUTH=dev) or OpenID Connect,
authorization code with PKCE (CONSOLE_AUTH=oidc)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import httpx
import jwt
from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console.proxy import problem
from console.session import bearer_of, clear_session, identity, set_session
from console.settings import ConsoleSettings
from mediabill_common.auth.mint import mint_token
from mediabill_common.auth.principal import ROLES

FLOW_COOKIE = "mediabill_oidc_flow"
# People pick from these on the development sign-in page ("service" is for machines, not people).
PERSON_ROLES = tuple(r for r in ROLES if r != "service")


class DevSignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)


def routes(settings: ConsoleSettings, client: httpx.AsyncClient) -> list[Route]:
    async def config(_request: Request) -> Response:
        return JSONResponse({"mode": settings.console_auth,
                             "roles": list(PERSON_ROLES) if settings.console_auth == "dev" else []})

    async def session(request: Request) -> Response:
        token = bearer_of(request)
        if token is None:
            return problem(401, "Unauthorized", "not signed in")
        try:
            return JSONResponse(identity(token, settings.jwt_roles_claim))
        except jwt.PyJWTError:  # an unreadable cookie is no session
            return problem(401, "Unauthorized", "not signed in")

    async def sign_out(_request: Request) -> Response:
        response = JSONResponse({"signed_out": True})
        clear_session(response, settings)
        return response

    async def dev_sign_in(request: Request) -> Response:
        if settings.console_auth != "dev" or not settings.jwt_hs256_secret:
            return problem(404, "Not Found", "development sign-in is off")
        try:
            body = DevSignIn.model_validate_json(await request.body())
        except ValidationError as exc:
            return problem(422, "Unprocessable Content", "; ".join(e["msg"] for e in exc.errors()))
        unknown = sorted(set(body.roles) - set(PERSON_ROLES))
        if unknown:
            return problem(422, "Unprocessable Content", f"unknown roles: {', '.join(unknown)}")
        token = mint_token(body.name.strip(), body.roles, secret=settings.jwt_hs256_secret,
                           ttl_s=settings.console_session_ttl_s)
        response = JSONResponse(identity(token, "roles"))
        set_session(response, token, settings)
        return response

    async def oidc_login(_request: Request) -> Response:
        if settings.console_auth != "oidc":
            return problem(404, "Not Found", "OpenID Connect sign-in is off")
        provider = await _discover(client, settings)
        verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": settings.console_oidc_client_id,
                           "redirect_uri": _redirect_uri(settings), "scope": settings.console_oidc_scopes,
                           "state": state, "code_challenge": challenge, "code_challenge_method": "S256"})
        response = RedirectResponse(f"{provider['authorization_endpoint']}?{query}", status_code=302)
        response.set_cookie(FLOW_COOKIE, f"{state}.{verifier}", max_age=600, httponly=True, samesite="lax",
                            secure=settings.console_secure_cookie, path="/auth")
        return response

    async def oidc_callback(request: Request) -> Response:
        if settings.console_auth != "oidc":
            return problem(404, "Not Found", "OpenID Connect sign-in is off")
        state, _, verifier = (request.cookies.get(FLOW_COOKIE) or "").partition(".")
        if not state or not secrets.compare_digest(state, request.query_params.get("state", "")):
            return problem(400, "Bad Request", "this sign-in was not started here, or it expired; sign in again")
        code = request.query_params.get("code")
        if not code:
            return problem(400, "Bad Request", request.query_params.get("error_description") or "no code returned")
        provider = await _discover(client, settings)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": _redirect_uri(settings),
                "client_id": settings.console_oidc_client_id or "", "code_verifier": verifier}
        if settings.console_oidc_client_secret:
            form["client_secret"] = settings.console_oidc_client_secret
        answer = await client.post(provider["token_endpoint"], data=form)
        if answer.status_code != 200 or "access_token" not in answer.json():
            return problem(502, "Bad Gateway", "the identity provider refused the sign-in")
        response = RedirectResponse("/", status_code=302)
        set_session(response, answer.json()["access_token"], settings)
        response.delete_cookie(FLOW_COOKIE, path="/auth")
        return response

    return [Route("/auth/config", config), Route("/auth/session", session),
            Route("/auth/sign-out", sign_out, methods=["POST"]),
            Route("/auth/dev/sign-in", dev_sign_in, methods=["POST"]),
            Route("/auth/login", oidc_login), Route("/auth/callback", oidc_callback)]


def _redirect_uri(settings: ConsoleSettings) -> str:
    return settings.console_public_url.rstrip("/") + "/auth/callback"


async def _discover(client: httpx.AsyncClient, settings: ConsoleSettings) -> dict:
    issuer = (settings.console_oidc_issuer or "").rstrip("/")
    answer = await client.get(f"{issuer}/.well-known/openid-configuration")
    answer.raise_for_status()
    return answer.json()
