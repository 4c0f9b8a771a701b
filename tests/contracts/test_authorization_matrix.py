"""An authorization matrix generated from every route of every service: every endpoint x every role x no token /
expired / wrong signature / alg=none. No or bad token -> 401; a role that may not write -> 403; every route is
authenticated except the three operations endpoints."""

import time

import jwt
import pytest
from fastapi.routing import iter_route_contexts

from mediabill_common.auth.principal import ROLES, expand_roles
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import token
from mediabill_common.web.security import current_principal
from tests.contracts.conftest import BUILDERS, client_for

pytestmark = pytest.mark.integration
OPEN_PATHS = {"/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect"}
SECRET = ServiceSettings().jwt_hs256_secret


def _calls(dependant) -> list:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found += _calls(sub)
    return found


def _routes(app) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(method, path with ids filled in, roles allowed to call it or None for every authenticated caller)."""
    routes = []
    for route in iter_route_contexts(app.routes):
        if not hasattr(route, "dependant") or route.path in OPEN_PATHS:
            continue
        calls = _calls(route.dependant)
        assert current_principal in calls, f"{route.path} is not authenticated"
        required = next((c.required_roles for c in calls if hasattr(c, "required_roles")), None)
        path = route.path.replace("{", "").replace("}", "")
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path, required))
    return routes


def _bad_tokens() -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "mallory", "roles": list(ROLES)}
    return {
        "expired": jwt.encode({**claims, "exp": now - 60}, SECRET, algorithm="HS256"),
        "wrong signature": jwt.encode({**claims, "exp": now + 600}, "not-the-secret-" * 3, algorithm="HS256"),
        "alg none": jwt.encode({**claims, "exp": now + 600}, None, algorithm="none"),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_every_route_refuses_missing_and_bad_tokens(service, contract_apps):
    routes = _routes(contract_apps[service])
    assert routes, f"{service} has no routes"
    failures = []
    async with client_for(contract_apps[service]) as client:
        for method, path, _ in routes:
            cases = {"no token": {}} | {k: {"Authorization": f"Bearer {v}"} for k, v in _bad_tokens().items()}
            for case, headers in cases.items():
                response = await client.request(method, path, headers=headers, json={})
                if response.status_code != 401 or response.headers["content-type"] != "application/problem+json":
                    failures.append(f"{method} {path} with {case}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_every_write_route_refuses_roles_that_may_not_write_it(service, contract_apps):
    failures, checked = [], 0
    async with client_for(contract_apps[service]) as client:
        for method, path, required in _routes(contract_apps[service]):
            if required is None:
                continue
            for role in ROLES:
                if expand_roles([role]) & set(required):
                    continue
                checked += 1
                headers = {"Authorization": f"Bearer {token(role)}"}
                response = await client.request(method, path, headers=headers, json={})
                if response.status_code != 403:
                    failures.append(f"{method} {path} as {role}: {response.status_code}")
    assert checked, f"{service} has no role-restricted routes"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_auditor_never_writes(service, contract_apps):
    writes = [(m, p) for m, p, required in _routes(contract_apps[service]) if m in ("POST", "PUT", "PATCH", "DELETE")
              and required is not None]
    async with client_for(contract_apps[service]) as client:
        for method, path in writes:
            response = await client.request(method, path, headers={"Authorization": f"Bearer {token('auditor')}"},
                                            json={})
            assert response.status_code == 403, f"{method} {path}"


SAMPLE_WRITES = {
    "product-config-svc": ("/v1/products", "config-admin"),
    "invoice-svc": ("/v1/bill-runs", "billing-manager"),
    "dispute-svc": ("/v1/disputes", "billing-analyst"),
    "adjustment-svc": ("/v1/adjustments", "billing-analyst"),
    "accounting-svc": ("/v1/periods/2026-11/reopen", "billing-director"),
}


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_sample_endpoint_answers_401_403_and_422_as_problem_json(service, contract_apps):
    path, role = SAMPLE_WRITES[service]
    async with client_for(contract_apps[service]) as client:
        unauthenticated = await client.post(path, json={})
        wrong_role = await client.post(path, json={}, headers={"Authorization": f"Bearer {token('auditor')}"})
        bad_body = await client.post(path, json={"period": 12, "nonsense": True},
                                     headers={"Authorization": f"Bearer {token(role)}"})
    assert unauthenticated.status_code == 401
    assert wrong_role.status_code == 403
    assert bad_body.status_code == 422
    for response in (unauthenticated, wrong_role, bad_body):
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert {"type", "title", "status", "detail"} <= set(body)
    assert bad_body.json()["errors"], "field errors are listed"
