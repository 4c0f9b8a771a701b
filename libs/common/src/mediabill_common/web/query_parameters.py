"""Unknown query parameters are refused: 422 problem+json naming them, on every route of every Mediabill API.

A misspelt or unsupported filter used to be ignored, so `GET /v1/invoices?invoice_number=INV-…` answered with
unrelated invoices and `?source_system=zzz` with everything: the caller could not tell that the filter they meant
was never applied. The parameters a route accepts are the ones FastAPI knows it declares (its dependant and every
sub-dependency: pagination, filters, aliases such as `from`), so the rule needs no list per route and cannot drift
from the OpenAPI document, which FastAPI builds from the same dependant. `guard_requests` installs it on the app's
router before any route is included, so every route of every service gets it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from mediabill_common.web.problems import Unprocessable


def declared_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameter names `route` accepts (as sent: aliases, the fields of a query model). A walk over a
    handful of dependants, cheap next to any request's own work, so it is not cached."""
    return frozenset(_query_names(route.dependant))


def _query_names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names |= {info.alias or name for name, info in model.model_fields.items()}
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def refuse_unknown_query_parameters(request: Request) -> None:
    """422 naming every query parameter the matched route does not declare (and the ones it does)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = declared_query_parameters(route)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if not unknown:
        return
    accepted = ", ".join(sorted(declared)) or "none"
    raise Unprocessable(
        f"Unknown query parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
        f"{request.method} {route.path} accepts {accepted}.",
        errors=[{"field": name, "in": "query", "message": "unknown query parameter"} for name in unknown],
        title="Unknown query parameter", slug="unknown-query-parameter")
