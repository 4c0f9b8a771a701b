"""Every GET route of every service refuses a query parameter it does not declare: 422 problem+json naming it
(a filter the caller misspelt must not be silently ignored), while the parameters its OpenAPI document declares are
accepted as parameters."""

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from mediabill_common.testing.plugin import token
from tests.contracts.conftest import BUILDERS, client_for

pytestmark = pytest.mark.integration


def _get_routes(app) -> list[tuple[str, str]]:
    """(path with its ids filled in, a role that may call it) for every GET route."""
    routes = []
    for route in iter_route_contexts(app.routes):
        if "GET" not in (route.methods or ()) or not hasattr(route, "dependant"):
            continue  # the API's own documents (/openapi.json, /docs) are not API routes and take no parameters
        routes.append((route.path.replace("{", "").replace("}", ""), "billing-director"))
    return routes


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_every_get_route_answers_422_naming_an_unknown_query_parameter(service, contract_apps):
    app = contract_apps[service]
    routes = _get_routes(app)
    assert len(routes) > 3, f"{service}: too few GET routes found"
    failures = []
    async with client_for(app) as client:
        for path, role in routes:
            response = await client.get(path, params={"no_such_filter": "zzz"},
                                        headers={"Authorization": f"Bearer {token(role)}"})
            body = response.json() if response.headers.get("content-type") == "application/problem+json" else {}
            named = [e.get("field") for e in body.get("errors", [])]
            if response.status_code != 422 or named != ["no_such_filter"]:
                failures.append(f"GET {path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("service", list(BUILDERS))
def test_the_parameters_the_rule_accepts_are_the_documented_ones(service, contract_apps):
    from mediabill_common.web.query_parameters import declared_query_parameters

    app = contract_apps[service]
    document = app.openapi()
    for route in iter_route_contexts(app.routes):
        if not isinstance(getattr(route, "_effective_route", route), APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][route.path_format][method.lower()]
            documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert declared_query_parameters(route) == documented, f"{method} {route.path}"
