"""Refuse, with 422, a request that carries the NUL character (U+0000) in its path, query or JSON body.

PostgreSQL's text and jsonb cannot hold U+0000: a query filter or a JSON string containing it fails deep inside a
repository with a database error, answered 500 (found by the stateful API tests: `GET /v1/deliveries?
line_item_id=...%00...`, a dispute description with `\\u0000`). No billing field has a use for it, so the request
is refused at the edge, before any work is done, naming where the character was. (HTTP servers already refuse
it in header values.)
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from mediabill_common.web.body import buffer_body
from mediabill_common.web.problems import Unprocessable, problem_response

# `\u0000` in a JSON text: preceded by an even number of backslashes, so it is an escape and not the literal
# characters of an escaped backslash (`\\u0000`).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_MESSAGE = "contains the NUL character (U+0000), which no field accepts"


def _url_problems(scope: Scope) -> list[dict[str, Any]]:
    problems = []
    if "\x00" in scope["path"]:
        problems.append({"field": None, "in": "path", "message": _MESSAGE})
    raw = scope.get("query_string", b"")
    if b"%00" not in raw and b"\x00" not in raw:  # the common case: nothing to decode
        return problems
    query = raw.decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            problems.append({"field": name.replace("\x00", "\\u0000"), "in": "query", "message": _MESSAGE})
    return problems


class RefuseNulCharacters:
    """ASGI middleware: 422 problem+json for U+0000 in the path, query or JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = _url_problems(scope)
        if not problems and scope["method"] in ("POST", "PUT", "PATCH"):
            body, receive = await buffer_body(receive)
            if b"\\u0000" in body and _JSON_NUL.search(body):
                problems.append({"field": None, "in": "body", "message": _MESSAGE})
        if problems:
            where = ", ".join(p["field"] or p["in"] for p in problems)
            refusal = Unprocessable(f"The request is not valid: {where} {_MESSAGE}", errors=problems)
            await problem_response(refusal, Request(scope))(scope, receive, send)
            return
        await self.app(scope, receive, send)
