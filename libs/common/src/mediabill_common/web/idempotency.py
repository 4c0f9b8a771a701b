"""`Idempotency-Key` for POSTs: the same key and body replay the first response; another body -> 422.

The key is scoped to the method, path and caller (`sub` of the bearer token, read unverified: the route still
verifies the token, and a forged `sub` only reaches its own scope). Only successful (2xx) responses are kept, so a
request that failed can be retried with the same key. A second request arriving while the first is still being
processed gets 409; a claim left "in progress" for longer than `ABANDONED_AFTER_S` (its process died mid-request,
so nothing it did was committed with a response) is taken over by the next request with that key.
Plain ASGI middleware: requests without the header pass straight through. Its own reads and writes are single
statements in autocommit mode (each atomic and durable on its own): one round trip each, where BEGIN ... COMMIT
around them would be three.
"""

from __future__ import annotations

import hashlib

import jwt
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediabill_common.web.problems import Conflict, Problem, Unprocessable, problem_response

HEADER = "Idempotency-Key"
_HEADER_KEY = HEADER.lower().encode()
_REPLAYED_HEADERS = (b"content-type", b"location", b"etag")
ABANDONED_AFTER_S = 60


def _caller(scope: Scope) -> str:
    auth = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode(errors="replace")
    if not auth.lower().startswith("bearer "):
        return "-"
    try:
        return str(jwt.decode(auth[7:], options={"verify_signature": False}).get("sub", "-"))
    except jwt.PyJWTError:
        return "-"


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, table_getter, engine_getter) -> None:
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
        key_text = key.decode(errors="replace")
        if len(key_text) > 200:
            await self._problem(scope, send, Unprocessable(f"{HEADER} must be at most 200 characters"))
            return
        body = await _read_body(receive)
        digest = hashlib.sha256(body).hexdigest()
        request_scope = f"{scope['method']} {scope['path']} {_caller(scope)}"[:300]
        existing = await self._claim(key_text, request_scope, digest)
        if existing is not False:
            await self._replay(scope, send, existing, digest)
            return
        await self._run_and_keep(scope, body, send, key_text, request_scope)

    async def _claim(self, key: str, request_scope: str, digest: str):
        """False when this request now owns the key; else the row already holding it (None if it vanished)."""
        table: Table = self._table_getter()
        async with self._connect() as conn:
            claimed = (await conn.execute(
                insert(table).values(key=key, scope=request_scope, request_hash=digest).on_conflict_do_nothing()
                .returning(table.c.key))).first()
            if claimed is not None:
                return False
            taken_over = (await conn.execute(
                update(table).where(table.c.key == key, table.c.scope == request_scope,
                                    table.c.status_code.is_(None),
                                    table.c.created_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0,
                                                                                         ABANDONED_AFTER_S))
                .values(request_hash=digest, created_at=func.now()).returning(table.c.key))).first()
            if taken_over is not None:
                return False
            return (await conn.execute(select(table).where(table.c.key == key,
                                                           table.c.scope == request_scope))).first()

    async def _run_and_keep(self, scope: Scope, body: bytes, send: Send, key: str, request_scope: str) -> None:
        sent_body = False

        async def replay_body() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: Message = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        try:
            await self.app(scope, replay_body, capture)
        except Exception:
            await self._forget(key, request_scope)
            raise
        content = b"".join(parts)
        status = start.get("status", 500)
        if 200 <= status < 300:
            headers = {k.decode(): v.decode() for k, v in start.get("headers", []) if k.lower() in _REPLAYED_HEADERS}
            table: Table = self._table_getter()
            async with self._connect() as conn:
                await conn.execute(update(table).where(table.c.key == key, table.c.scope == request_scope)
                                   .values(status_code=status, response_body=content, response_headers=headers))
        else:
            await self._forget(key, request_scope)
        await send(start)
        await send({"type": "http.response.body", "body": content, "more_body": False})

    async def _replay(self, scope: Scope, send: Send, existing, digest: str) -> None:
        if existing is None or existing.status_code is None:
            await self._problem(scope, send, Conflict(
                f"A request with this {HEADER} is being processed; retry shortly."))
            return
        if existing.request_hash != digest:
            await self._problem(scope, send, Unprocessable(
                f"This {HEADER} was already used with a different request body; use a new key."))
            return
        headers = dict(existing.response_headers or {})
        headers["Idempotent-Replayed"] = "true"
        response = Response(existing.response_body, status_code=existing.status_code, headers=headers)
        await response(scope, _no_body, send)

    async def _problem(self, scope: Scope, send: Send, problem: Problem) -> None:
        await problem_response(problem, Request(scope))(scope, _no_body, send)

    async def _forget(self, key: str, request_scope: str) -> None:
        table: Table = self._table_getter()
        async with self._connect() as conn:
            await conn.execute(delete(table).where(table.c.key == key, table.c.scope == request_scope))


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
