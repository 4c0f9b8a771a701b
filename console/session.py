"""The signed-in person's session: their bearer token in an HttpOnly cookie, so page scripts never hold it, and the
identity the page shows read from that token."""

from __future__ import annotations

from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import Response

from console.settings import ConsoleSettings

COOKIE = "mediabill_session"


def bearer_of(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def identity(token: str, roles_claim: str) -> dict[str, Any]:
    """Who the token names and their roles, for the page to show and to hide what a role may not do. The services
    verify the token on every call; the console does not need to (a forged cookie only reaches refusals)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    roles = claims.get(roles_claim, [])
    return {"sub": str(claims.get("sub", "")), "name": claims.get("name") or claims.get("sub"),
            "roles": [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else [],
            "expires_at": claims.get("exp")}


def set_session(response: Response, token: str, settings: ConsoleSettings) -> None:
    response.set_cookie(COOKIE, token, max_age=settings.console_session_ttl_s, httponly=True, samesite="strict",
                        secure=settings.console_secure_cookie, path="/")


def clear_session(response: Response, settings: ConsoleSettings) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=settings.console_secure_cookie)
