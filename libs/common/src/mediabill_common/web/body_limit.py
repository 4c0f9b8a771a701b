"""Cap the size of a request body: 413 problem+json past `http_max_body_bytes`, the rest left unread.

A body that declares its size (Content-Length) over the limit is refused before a byte of it is read; one sent in
chunks is counted as it arrives and refused at the first chunk past the limit, so no request makes a process hold
more than the limit. (Starlette's and FastAPI's own `max_body_size` answer in plain text or plain JSON, and sit
outside every middleware, so they would count bytes before the token is checked; this one runs after
web.authentication.)
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediabill_common.web.problems import ContentTooLarge, problem_response


def _declared_length(scope: Scope) -> int | None:
    value = next((v for k, v in scope["headers"] if k == b"content-length"), None)
    return int(value) if value is not None and value.isdigit() else None


class LimitRequestBody:
    """ASGI middleware: refuse request bodies larger than `max_bytes` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self._max = max_bytes

    def _refusal(self) -> ContentTooLarge:
        return ContentTooLarge(f"The request body is larger than the {self._max} bytes this service accepts.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self._max:
            await problem_response(self._refusal(), Request(scope))(scope, receive, send)
            return
        received, started = 0, False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max:
                    raise self._refusal()  # a route's problem handler answers it, else the except below
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except ContentTooLarge as refusal:
            if started:
                raise
            await problem_response(refusal, Request(scope))(scope, receive, send)
