"""Document, in a service's OpenAPI, how one operation's answer leads to the next (OpenAPI links).

A client that created a dispute knows where to read, assign or resolve it; a client that read a contract knows
which ETag to send as If-Match when it activates it. OpenAPI says so with `links` on a response: the target's
operationId and runtime expressions (`$response.body#/dispute_id`, `$response.header.ETag`) for its parameters.
Property-based API tests follow them to chain calls on real resources (schemathesis' stateful phase).

Each service declares its links as data next to its routers (`entrypoints/api/links.py`); operationIds are
looked up in the generated document, so a renamed handler cannot leave a link pointing nowhere: a link whose
source response, target operation or target parameter does not exist fails when the document is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

ETAG = "$response.header.ETag"
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")  # link names follow the Components Object key rule


@dataclass(frozen=True)
class Link:
    """`source` (method, path, status) answers with what `target` (method, path) needs.

    `parameters` maps the target's parameter names (path, query or header, e.g. `If-Match`) to runtime
    expressions; `request_body` is a runtime expression or an object whose values may be runtime expressions.
    `name` defaults to the target handler's name (`get_dispute`, `resolve`).
    """

    source: tuple[str, str, str]
    target: tuple[str, str]
    parameters: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    name: str | None = None
    description: str | None = None


def follow(source: tuple[str, str, str], parameters: dict[str, str], *targets: tuple[str, str]) -> list[Link]:
    """One link from `source` to each target, all with the same parameters (e.g. the id just created)."""
    return [Link(source, target, parameters) for target in targets]


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] | None = schema["paths"].get(path, {}).get(method.lower())
    if operation is None:
        raise ValueError(f"OpenAPI link: {method} {path} is not an operation of {schema['info']['title']}")
    return operation


def _parameter_name(operation: dict[str, Any], name: str, where: str) -> str:
    """The name the target declares for a link parameter (header names compare case-insensitively)."""
    for declared in operation.get("parameters", []):
        same = declared["name"].lower() == name.lower() if declared["in"] == "header" else declared["name"] == name
        if same:
            return str(declared["name"])
    raise ValueError(f"OpenAPI link to {where}: it has no parameter {name!r}")


def _definition(schema: dict[str, Any], link: Link) -> dict[str, Any]:
    method, path = link.target
    target = _operation(schema, method, path)
    definition: dict[str, Any] = {"operationId": target["operationId"]}
    if link.parameters:
        definition["parameters"] = {_parameter_name(target, name, f"{method} {path}"): expression
                                    for name, expression in link.parameters.items()}
    if link.request_body is not None:
        if "requestBody" not in target:
            raise ValueError(f"OpenAPI link to {method} {path}: it takes no request body")
        definition["requestBody"] = link.request_body
    if link.description:
        definition["description"] = link.description
    return definition


def add_links(schema: dict[str, Any], links: Sequence[Link], handler_names: dict[tuple[str, str], str]) -> None:
    """Write `links` into the responses of an OpenAPI document (in place)."""
    for link in links:
        method, path, status = link.source
        response = _operation(schema, method, path).get("responses", {}).get(status)
        if response is None:
            raise ValueError(f"OpenAPI link from {method} {path}: it documents no {status} response")
        definition = _definition(schema, link)
        name = link.name or handler_names[(link.target[0].upper(), link.target[1])]
        documented = response.setdefault("links", {})
        if not _NAME.match(name) or name in documented:
            raise ValueError(f"OpenAPI link from {method} {path} {status}: name {name!r} is not valid or not unique")
        documented[name] = definition
        if ETAG in (link.parameters or {}).values():
            # what the link reads is part of the answer: say so where clients and validators look for it
            response.setdefault("headers", {}).setdefault("ETag", {
                "description": "The resource's version; send it as If-Match with the next change.",
                "schema": {"type": "string"}})


def document_links(app: FastAPI, links: Sequence[Link]) -> None:
    """Make `app.openapi()` carry `links`, added once to the document the current `app.openapi` builds and
    caches (e.g. the one `document_problem_responses` makes)."""
    build: Callable[[], dict[str, Any]] = app.openapi
    added = False

    def openapi() -> dict[str, Any]:
        nonlocal added
        schema = build()
        if not added:
            handler_names = {(method, route.path): route.name for route in iter_route_contexts(app.routes)
                             if route.path and route.name for method in route.methods or ()}
            add_links(schema, links, handler_names)
            added = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its OpenAPI document
