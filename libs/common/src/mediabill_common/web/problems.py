"""RFC 9457 problem+json errors and the exception handlers that produce them."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mediabill_common.db.errors import is_database_unavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://mediabill.dev/problems/"


class Problem(Exception):
    """An error answered as problem+json. Subclasses fix the status; `errors` lists field problems."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, title: str | None = None,
                 slug: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra
        if title:
            self.title = title
        if slug:
            self.slug = slug

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": _TYPE_BASE + self.slug, "title": self.title, "status": self.status,
                                "detail": self.detail}
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class Unauthorized(Problem):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(Problem):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class ContentTooLarge(Problem):
    status, title, slug = 413, "Content too large", "content-too-large"


class Unprocessable(Problem):
    status, title, slug = 422, "Unprocessable content", "validation"


class ServiceUnavailable(Problem):
    status, title, slug = 503, "Service unavailable", "unavailable"


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    headers = dict(problem.headers)
    if problem.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(problem.body(request.url.path if request else None), status_code=problem.status,
                        media_type=PROBLEM_JSON, headers=headers)


def field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"field": ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc), "in": loc[0] if loc else None,
                    "message": err.get("msg", "invalid")})
    return out


def malformed_json(exc: RequestValidationError) -> Unprocessable | None:
    """The problem for a body that is not JSON at all, with the line and column where parsing stopped (FastAPI
    reports a character offset as the error's location, which read as a field named "12"); None otherwise."""
    error = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if error is None:
        return None
    loc = error.get("loc", ())
    offset = loc[-1] if loc and isinstance(loc[-1], int) else 0
    document = exc.body if isinstance(exc.body, str) else ""
    line = document.count("\n", 0, offset) + 1
    column = offset - (document.rfind("\n", 0, offset) + 1) + 1
    reason = (error.get("ctx") or {}).get("error", "not valid JSON")
    where = f"line {line}, column {column}"
    return Unprocessable(f"The request body is not valid JSON: {reason} at {where}.", title="Malformed JSON",
                         slug="malformed-json",
                         errors=[{"field": None, "in": "body", "line": line, "column": column,
                                  "message": f"{reason} at {where}"}])


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        malformed = malformed_json(exc)
        if malformed is not None:
            return problem_response(malformed, request)
        errors = field_errors(exc)
        summary = "; ".join(f"{e['field'] or e['in']}: {e['message']}" for e in errors[:5])
        return problem_response(Unprocessable(f"The request is not valid: {summary}", errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Keep the exception's headers: a 405 must say which methods are allowed (`Allow`, RFC 9110).
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        problem = Problem(str(exc.detail), title=_reason(exc.status_code), slug=f"http-{exc.status_code}",
                          headers=headers)
        problem.status = exc.status_code
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_database_unavailable(exc):
            # The request wrote nothing (its transaction did not commit); the caller may simply send it again.
            log.warning("database unavailable", extra={"path": request.url.path, "error": repr(exc)[:300]})
            return problem_response(ServiceUnavailable(
                "The database is unavailable (restarting or unreachable); nothing was changed. Retry shortly.",
                headers={"Retry-After": "1"}), request)
        log.exception("unhandled error", extra={"path": request.url.path})
        problem = Problem("An unexpected error occurred; it has been logged.", title="Internal error",
                          slug="internal")
        problem.status = 500
        return problem_response(problem, request)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's own 405 names only the first route's)."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import compile_path

    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.path and route.methods and compile_path(route.path)[0].match(request.scope["path"]):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
