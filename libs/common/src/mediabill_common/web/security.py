"""FastAPI dependencies for authentication and roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mediabill_common.auth.principal import Principal
from mediabill_common.web.authentication import authenticate
from mediabill_common.web.problems import Forbidden

_bearer = HTTPBearer(auto_error=False, description="JWT with claims sub, roles, exp")


async def current_principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Every endpoint depends on this: no or bad token -> 401. The token was verified already by the
    AuthenticateFirst middleware (web.authentication); the check is the same one, so a route stays protected in
    an app assembled without it. (`_credentials` documents the bearer scheme in the OpenAPI document.)"""
    return authenticate(request.scope)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through callers holding any of `roles` (after role inclusion)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")
        return principal

    _check.required_roles = roles  # type: ignore[attr-defined]  # read by the authorization-matrix test
    return _check
