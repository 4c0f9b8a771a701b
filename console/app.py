"""The console's process: the built web application, sign-in, and the proxy to the services' APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from console.proxy import ApiProxy
from console.settings import ConsoleSettings
from console.signin import routes as signin_routes

DIST = Path(__file__).resolve().parent / "web" / "dist"


def build_app(settings: ConsoleSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) \
        -> Starlette:
    """`transport`: where the console's calls go (tests hand in a stand-in for the services)."""
    settings = settings or ConsoleSettings()
    client = httpx.AsyncClient(timeout=httpx.Timeout(60, connect=5), limits=httpx.Limits(max_connections=50),
                               transport=transport)
    dist = Path(settings.console_assets_dir) if settings.console_assets_dir else DIST
    index = dist / "index.html"

    async def page(_request: Request) -> Response:
        # Every page of the single-page application is the same document; its router shows the page.
        if not index.exists():
            return Response("The console is not built: run `npm ci && npm run build` in console/web "
                            "(./mediabill up does).", status_code=503, media_type="text/plain")
        return FileResponse(index, headers={"cache-control": "no-cache"})

    async def ready(_request: Request) -> Response:
        return JSONResponse({"status": "ready" if index.exists() else "not built"},
                            status_code=200 if index.exists() else 503)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    proxy = ApiProxy(settings.service_urls(), client)
    routes = [
        Route("/health/live", lambda _r: JSONResponse({"status": "live"})),
        Route("/health/ready", ready),
        *signin_routes(settings, client),
        Route("/api/{service}/{path:path}", proxy.forward, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Mount("/assets", app=StaticFiles(directory=dist / "assets", check_dir=False), name="assets"),
        Route("/{path:path}", page),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
