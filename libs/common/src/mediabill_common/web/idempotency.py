"""`Idempotency-Key` for POSTs: the same key and body replay the first response; another body -> 422.

The key is scoped to the method, path and caller (`sub` of the bearer token, read unverified: the route still
verifies the token, and a forged `sub` only reaches its own scope). Only successful (2xx) responses are kept, so a
request that failed can be retried with the same key. A second request arriving while the first is still being
processed gets 409.
"""

from __future__ import annotations

import hashlib

import jwt
from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from mediabill_common.web.problems import Conflict, Unprocessable, problem_response

HEADER = "Idempotency-Key"
_REPLAYED_HEADERS = ("content-type", "location", "etag")


def _caller(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        return "-"
    try:
        return str(jwt.decode(auth[7:], options={"verify_signature": False}).get("sub", "-"))
    except jwt.PyJWTError:
        return "-"


class IdempotencyMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, *, table_getter, sessions_getter) -> None:
        super().__init__(app)
        self._table_getter = table_getter
        self._sessions_getter = sessions_getter

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return await call_next(request)
        if len(key) > 200:
            return problem_response(Unprocessable(f"{HEADER} must be at most 200 characters"), request)
        table: Table = self._table_getter()
        sessions = self._sessions_getter()
        body = await request.body()
        digest = hashlib.sha256(body).hexdigest()
        scope = f"{request.method} {request.url.path} {_caller(request)}"[:300]
        async with sessions.begin() as session:
            claimed = (await session.execute(
                insert(table).values(key=key, scope=scope, request_hash=digest).on_conflict_do_nothing()
                .returning(table.c.key))).first()
            if claimed is None:
                existing = (await session.execute(select(table).where(table.c.key == key,
                                                                      table.c.scope == scope))).first()
        if claimed is None:
            return self._replay(request, existing, digest)
        try:
            response = await call_next(request)
        except Exception:
            await self._forget(key, scope)
            raise
        if not 200 <= response.status_code < 300:
            await self._forget(key, scope)
            return response
        content = b"".join([chunk async for chunk in response.body_iterator])
        headers = {k: v for k, v in response.headers.items() if k.lower() in _REPLAYED_HEADERS}
        async with sessions.begin() as session:
            await session.execute(update(table).where(table.c.key == key, table.c.scope == scope).values(
                status_code=response.status_code, response_body=content, response_headers=headers))
        return Response(content, status_code=response.status_code, headers=dict(response.headers))

    def _replay(self, request: Request, existing, digest: str) -> Response:
        if existing is None:  # it was forgotten between our insert attempt and the read: treat as in progress
            return problem_response(Conflict(f"A request with this {HEADER} is being processed; retry shortly."),
                                    request)
        if existing.request_hash != digest:
            return problem_response(Unprocessable(
                f"This {HEADER} was already used with a different request body; use a new key."), request)
        if existing.status_code is None:
            return problem_response(Conflict(f"A request with this {HEADER} is being processed; retry shortly."),
                                    request)
        headers = dict(existing.response_headers or {})
        headers["Idempotent-Replayed"] = "true"
        return Response(existing.response_body, status_code=existing.status_code, headers=headers)

    async def _forget(self, key: str, scope: str) -> None:
        table: Table = self._table_getter()
        async with self._sessions_getter().begin() as session:
            await session.execute(delete(table).where(table.c.key == key, table.c.scope == scope))
