"""Document, in every service's OpenAPI, the problem+json error responses the shared plumbing can return.

FastAPI documents only 200 and a JSON 422; yet every authenticated route can answer 401 (and 403 when it needs a
role), a route with path ids 404, a write 409 (a conflicting state, or the same Idempotency-Key still in progress),
a route taking If-Match 412, a route with a body 400 (the body is not JSON), 413 (the body is over the size limit)
and 422 (the request is not valid), all as `application/problem+json`. Clients and property-based API tests read
the document, so it must say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import RouteContext, iter_route_contexts

from mediabill_common.web.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"]}, "in": {"type": "string"}, "message": {"type": "string"}}}},
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "The body is not well-formed JSON.",
    401: "No valid bearer token.",
    403: "The token lacks a role this action needs.",
    404: "The resource named in the path does not exist.",
    409: "The resource's state does not allow this, or a request with the same Idempotency-Key is in progress.",
    412: "If-Match does not name the resource's current version.",
    413: "The body is larger than the service accepts (`http_max_body_bytes`).",
    422: "The request is not valid (field errors listed in `errors`).",
}


def _dependency_calls(dependant: Dependant) -> list[Callable[..., Any] | None]:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found += _dependency_calls(sub)
    return found


def _expected_problems(route: RouteContext, method: str, operation: dict[str, Any]) -> set[int]:
    from mediabill_common.web.security import current_principal

    calls = _dependency_calls(route.dependant)
    codes = {422} if operation.get("parameters") or "requestBody" in operation or method == "post" else set()
    if current_principal in calls:
        codes.add(401)
        if any(hasattr(call, "required_roles") for call in calls):
            codes.add(403)
    if route.dependant.path_params:
        codes.add(404)
    if method in ("post", "put", "patch"):
        codes.add(409)
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match"
           for p in operation.get("parameters", [])):
        codes.add(412)
    if "requestBody" in operation:
        codes |= {400, 413}
    return codes


def _document(operation: dict[str, Any], codes: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses.setdefault(str(code), {"description": _DESCRIPTIONS[code]})
    for code, response in responses.items():
        if code.startswith("4"):
            response.setdefault("description", _DESCRIPTIONS.get(int(code), "Client error"))
            response["content"] = {PROBLEM_JSON: {"schema": _REF}}


def document_problem_responses(app: FastAPI) -> None:
    """Make `app.openapi()` list the problem+json responses each route can give (computed once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, openapi_version=app.openapi_version)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for route in iter_route_contexts(app.routes):
            if not hasattr(route, "dependant") or not route.path or not route.methods:
                continue
            for method in route.methods:
                operation = schema["paths"].get(route.path, {}).get(method.lower())
                if operation is not None:
                    _document(operation, _expected_problems(route, method.lower(), operation))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its OpenAPI document
