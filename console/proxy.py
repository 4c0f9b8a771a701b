"""The same-origin proxy: /api/<service>/<path> goes to that service's API with the signed-in person's token, so the
browser talks to one origin (no CORS) and the services still decide every call."""

from __future__ import annotations

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from console.session import bearer_of

# Request headers a call carries through; everything else (cookies above all) stays at the console.
FORWARD_REQUEST = ("accept", "content-type", "idempotency-key", "if-match", "if-none-match")
FORWARD_RESPONSE = ("content-type", "etag", "content-disposition", "location", "retry-after", "cache-control")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status, media_type="application/problem+json")


class ApiProxy:
    def __init__(self, urls: dict[str, str], client: httpx.AsyncClient) -> None:
        self._urls = urls
        self._client = client

    async def forward(self, request: Request) -> Response:
        service, path = request.path_params["service"], request.path_params["path"]
        base = self._urls.get(service)
        if base is None:
            return problem(404, "Not Found", f"no service called {service!r}")
        token = bearer_of(request)
        if token is None:
            return problem(401, "Unauthorized", "sign in first")
        if request.method in UNSAFE and not _same_origin(request):
            return problem(403, "Forbidden", "a change must come from the console's own pages")
        headers = {k: v for k, v in request.headers.items() if k in FORWARD_REQUEST}
        headers["authorization"] = f"Bearer {token}"
        try:
            upstream = await self._client.request(request.method, f"{base}/{path}", params=request.query_params,
                                                  content=await request.body(), headers=headers)
        except httpx.HTTPError:
            return problem(502, "Bad Gateway", f"{service} did not answer; try again in a moment")
        kept = {k: v for k, v in upstream.headers.items() if k in FORWARD_RESPONSE}
        return Response(upstream.content, status_code=upstream.status_code, headers=kept)


def _same_origin(request: Request) -> bool:
    """A write carries the console's own Origin (browsers send it with every POST): another site's page cannot make
    a signed-in person's browser act, even where SameSite cookies are not honoured."""
    origin = request.headers.get("origin")
    return origin is not None and origin.split("://", 1)[-1] == request.headers.get("host")
