"""`Idempotency-Key` for POSTs: the same key and body replay the first response; another body -> 422.

The key is scoped to the method, path and caller: the `sub` of the bearer token once it has verified
(web.authentication). A request whose token does not verify is answered 401 before its key is looked up: a stored
response is replayed only to the caller who got it, never to a forged token that names the same `sub`. Only
successful (2xx) responses are kept, so a request that failed can be retried with the same key. A second request
arriving while the first is still being processed gets 409; a claim left "in progress" for longer than
`ABANDONED_AFTER_S` (its process died mid-request, so nothing it did was committed with a response) is taken over
by the next request with that key.
Plain ASGI middleware: requests without the header pass straight through. Its own reads and writes are single
statements in autocommit mode (each atomic and durable on its own): one round trip each, where BEGIN ... COMMIT
around them would be three; they are written as SQL and run on the driver (mediabill_common.db.reads), without
building and compiling SQLAlchemy statements for every keyed POST.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediabill_common.db.reads import fetch_all, fetch_first
from mediabill_common.web.authentication import authenticate
from mediabill_common.web.body import buffer_body
from mediabill_common.web.problems import Conflict, Problem, Unauthorized, Unprocessable, problem_response

HEADER = "Idempotency-Key"
_HEADER_KEY = HEADER.lower().encode()
_REPLAYED_HEADERS = (b"content-type", b"location", b"etag")
ABANDONED_AFTER_S = 60


def _caller(scope: Scope) -> str:
    """The verified `sub` of the caller; Unauthorized when the token is missing or does not verify."""
    return authenticate(scope).sub


def _name(table: Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, table_getter: Callable[[], Table],
                 engine_getter: Callable[[], AsyncEngine]) -> None:
        self.app = app
        self._table_getter = table_getter
        self._engine_getter = engine_getter
        self._autocommit: AsyncEngine | None = None

    def _connect(self) -> AsyncConnection:
        if self._autocommit is None:
            self._autocommit = self._engine_getter().execution_options(isolation_level="AUTOCOMMIT")
        return self._autocommit.connect()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = next((v for k, v in scope["headers"] if k == _HEADER_KEY), None) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        try:
            caller = _caller(scope)
        except Unauthorized as refusal:
            await self._problem(scope, send, refusal)
            return
        key_text = key.decode(errors="replace")
        if len(key_text) > 200:
            await self._problem(scope, send, Unprocessable(f"{HEADER} must be at most 200 characters"))
            return
        body, receive = await buffer_body(receive)
        digest = hashlib.sha256(body).hexdigest()
        request_scope = f"{scope['method']} {scope['path']} {caller}"[:300]
        existing = await self._claim(key_text, request_scope, digest)
        if existing is not False:
            await self._replay(scope, send, existing, digest)
            return
        await self._run_and_keep(scope, receive, send, key_text, request_scope)

    async def _claim(self, key: str, request_scope: str, digest: str) -> Literal[False] | Mapping[str, Any] | None:
        """False when this request now owns the key; else the row already holding it (None if it vanished)."""
        table = _name(self._table_getter())
        held = {"key": key, "scope": request_scope}
        async with self._connect() as conn:
            if await fetch_first(conn, f"INSERT INTO {table} (key, scope, request_hash) VALUES (:key, :scope, :hash) "
                                       "ON CONFLICT DO NOTHING RETURNING key", {**held, "hash": digest}):
                return False
            if await fetch_first(conn, f"UPDATE {table} SET request_hash = :hash, created_at = now() "
                                       "WHERE key = :key AND scope = :scope AND status_code IS NULL "
                                       f"AND created_at < now() - interval '{ABANDONED_AFTER_S} seconds' RETURNING key",
                                 {**held, "hash": digest}):
                return False
            return await fetch_first(conn, f"SELECT * FROM {table} WHERE key = :key AND scope = :scope", held)

    async def _run_and_keep(self, scope: Scope, receive: Receive, send: Send, key: str, request_scope: str) -> None:
        start: Message = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except Exception:
            await self._forget(key, request_scope)
            raise
        content = b"".join(parts)
        status = start.get("status", 500)
        if 200 <= status < 300:
            headers = {k.decode(): v.decode() for k, v in start.get("headers", []) if k.lower() in _REPLAYED_HEADERS}
            async with self._connect() as conn:
                await fetch_all(conn, f"UPDATE {_name(self._table_getter())} SET status_code = :status, "
                                      "response_body = :body, response_headers = CAST(:headers AS jsonb) "
                                      "WHERE key = :key AND scope = :scope",
                                {"status": status, "body": content, "headers": json.dumps(headers), "key": key,
                                 "scope": request_scope})
        else:
            await self._forget(key, request_scope)
        await send(start)
        await send({"type": "http.response.body", "body": content, "more_body": False})

    async def _replay(self, scope: Scope, send: Send, existing: Mapping[str, Any] | None, digest: str) -> None:
        if existing is None or existing["status_code"] is None:
            await self._problem(scope, send, Conflict(
                f"A request with this {HEADER} is being processed; retry shortly."))
            return
        if existing["request_hash"] != digest:
            await self._problem(scope, send, Unprocessable(
                f"This {HEADER} was already used with a different request body; use a new key."))
            return
        headers = dict(existing["response_headers"] or {})
        headers["Idempotent-Replayed"] = "true"
        response = Response(existing["response_body"], status_code=existing["status_code"], headers=headers)
        await response(scope, _no_body, send)

    async def _problem(self, scope: Scope, send: Send, problem: Problem) -> None:
        await problem_response(problem, Request(scope))(scope, _no_body, send)

    async def _forget(self, key: str, request_scope: str) -> None:
        async with self._connect() as conn:
            await fetch_all(conn, f"DELETE FROM {_name(self._table_getter())} WHERE key = :key AND scope = :scope",
                            {"key": key, "scope": request_scope})


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
