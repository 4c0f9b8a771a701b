"""FastAPI dependencies for authentication and roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RoleRequirement:
    """The roles that may do one action, e.g. `RoleRequirement("issue a bill run", ("billing-manager",))`.

    The refusal's text is built from the requirement that was checked, so a 403 always names the role the action
    actually needs (role inclusion applies: a director holds manager and analyst)."""

    action: str | None
    roles: tuple[str, ...]

    def allows(self, principal: Principal) -> bool:
        return principal.has_any(*self.roles)

    def needs(self) -> str:
        """"to <action> you need the role(s) …" ("this action needs …" without an action): a refusal's clause."""
        noun = "the role" if len(self.roles) == 1 else "one of the roles"
        if self.action is None:
            return f"this action needs {noun} {', '.join(self.roles)}"
        return f"to {self.action} you need {noun} {', '.join(self.roles)}"

    def check(self, principal: Principal) -> None:
        """Forbidden, naming the roles this action needs, unless `principal` holds one of them."""
        if not self.allows(principal):
            raise refusal(principal, self)


def refusal(principal: Principal, *requirements: RoleRequirement) -> Forbidden:
    """The 403 for a caller meeting none of `requirements`: what each needs, and what the caller holds."""
    clauses = "; ".join(r.needs() for r in requirements)
    held = ", ".join(sorted(principal.roles)) or "no role"
    return Forbidden(f"{clauses[0].upper()}{clauses[1:]}. You hold: {held}.")


def require_roles(*required: str | RoleRequirement) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through callers meeting any of the requirements (role names, or
    `RoleRequirement`s naming their action), after role inclusion. The refusal names what each requirement needs."""
    names = tuple(r for r in required if isinstance(r, str))
    requirements = tuple(r for r in required if isinstance(r, RoleRequirement))
    if names:
        requirements = (RoleRequirement(None, names), *requirements)
    roles = tuple(dict.fromkeys(role for r in requirements for role in r.roles))

    async def _check(principal: CurrentPrincipal) -> Principal:
        if not any(r.allows(principal) for r in requirements):
            raise refusal(principal, *requirements)
        return principal

    _check.required_roles = roles  # type: ignore[attr-defined]  # read by the authorization-matrix test
    return _check
