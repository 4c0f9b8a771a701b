"""Reading a request's whole body in ASGI middleware and handing it to the app again."""

from __future__ import annotations

from starlette.types import Message, Receive


async def buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that gives it to the app once, then listens to the client as the
    original `receive` would (e.g. for a disconnect)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body, replayed = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
