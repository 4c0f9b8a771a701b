"""Authentication at the edge: a request's bearer token is verified before anything reads its body or acts on it.

Every route but the public ones (health, metrics, the API's own documents) needs a token that verifies. Checking it
in the routes alone came too late: the middleware in front of them (NUL check, Idempotency-Key) read the whole body
first, so an unauthenticated 200 MiB POST was buffered on its way to a 401, and an idempotent replay was answered
from the `sub` of a token nobody had verified. `authenticate` is the one check; the middleware runs it first and
keeps the principal in the request's state, where the route dependency (web.security) and the Idempotency-Key
scope (web.idempotency) find it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from mediabill_common.auth.principal import Principal
from mediabill_common.auth.verify import InvalidToken, JwtVerifier
from mediabill_common.web.problems import Unauthorized, problem_response

_AUTHORIZATION = b"authorization"
_STATE_KEY = "principal"


def authenticate(scope: Scope) -> Principal:
    """The principal of the request's bearer token, verified by the app's verifier (once per request: the result
    is kept in the request state); Unauthorized when there is no token or it does not verify."""
    state = scope.setdefault("state", {})
    cached = state.get(_STATE_KEY)
    if isinstance(cached, Principal):
        return cached
    header = next((v for k, v in scope["headers"] if k == _AUTHORIZATION), b"").decode("latin-1")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized("A bearer token is required (Authorization: Bearer <JWT>).")
    verifier: JwtVerifier = scope["app"].state.verifier
    try:
        principal = verifier.verify(credentials.strip())
    except InvalidToken as exc:
        raise Unauthorized(str(exc)) from exc
    state[_STATE_KEY] = principal
    return principal


class AuthenticateFirst:
    """ASGI middleware: 401 problem+json, with the body unread, for a request to a non-public path without a
    token that verifies. Install it outside every middleware that reads the body."""

    def __init__(self, app: ASGIApp, *, public_paths: Iterable[str],
                 public_when: Callable[[str], bool] = lambda _path: False) -> None:
        self.app = app
        self._public = frozenset(public_paths)
        self._public_when = public_when  # e.g. the docs page's static assets, a folder of files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self._public and not self._public_when(scope["path"]):
            try:
                authenticate(scope)
            except Unauthorized as refusal:
                await problem_response(refusal, Request(scope))(scope, receive, send)
                return
        await self.app(scope, receive, send)
