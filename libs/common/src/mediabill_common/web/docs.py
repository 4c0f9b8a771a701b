"""The API's own documentation page, with Swagger UI's files served by the service itself (from the swagger-ui-py
package) rather than from a CDN: the docs work on a network without internet access."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
# The package's files, found without importing it (it ships no type information).
SWAGGER_UI_FILES = Path(str(files("swagger_ui") / "static"))


def serve_docs(app: FastAPI) -> None:
    """/docs (Swagger UI over the app's /openapi.json) and its assets under /docs/assets. Create the app with
    docs_url=None so FastAPI does not add its CDN page."""
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_FILES), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - API docs",
                                   swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png")


def is_docs_asset(path: str) -> bool:
    return path.startswith(ASSETS_PATH + "/")
