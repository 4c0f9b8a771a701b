"""What every Mediabill API tells a caller whose request is wrong: unknown query parameters, malformed JSON, a role
that is not enough (an app guarded as the services are, without I/O)."""

from datetime import date
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel

from mediabill_common.auth.principal import Principal
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.service import guard_requests
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import bearer
from mediabill_common.web.pagination import Cursor, Limit
from mediabill_common.web.security import CurrentPrincipal, RoleRequirement, require_roles

ISSUE = RoleRequirement("issue a bill run", ("billing-manager",))
PREVIEW = RoleRequirement("run a preview", ("billing-analyst",))


async def _narrowing(region: str | None = None) -> str | None:
    return region


class Thing(BaseModel):
    name: str
    count: int


def _app() -> FastAPI:
    settings = ServiceSettings(service_name="t")
    app = FastAPI()
    guard_requests(app, settings, JwtVerifier(hs256_secret=settings.jwt_hs256_secret, jwks_url=None,
                                              issuer=settings.jwt_issuer, audience=settings.jwt_audience))
    router = APIRouter()

    @router.get("/v1/things")
    async def things(_p: CurrentPrincipal, region: Annotated[str | None, Depends(_narrowing)],
                     date_from: Annotated[date | None, Query(alias="from")] = None,
                     limit: Limit = 50, cursor: Cursor = None) -> dict[str, str]:
        return {"region": str(region), "from": str(date_from)}

    @router.post("/v1/things")
    async def add_thing(_p: CurrentPrincipal, thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    @router.post("/v1/runs")
    async def run(principal: Annotated[Principal, Depends(require_roles(PREVIEW, ISSUE))]) -> dict[str, str]:
        ISSUE.check(principal)
        return {}

    app.include_router(router)
    return app


async def _call(method: str, path: str, role: str = "billing-analyst", **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=bearer(role)) as client:
        return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


async def test_an_unknown_query_parameter_is_a_422_naming_it():
    response = await _call("GET", "/v1/things?source_system=zzz&limit=5&invoice_number=INV-1")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["invoice_number", "source_system"]
    assert all(e["in"] == "query" for e in body["errors"])
    assert "invoice_number" in body["detail"] and "source_system" in body["detail"]


async def test_declared_parameters_aliases_and_sub_dependencies_pass():
    response = await _call("GET", "/v1/things?from=2026-01-01&region=eu&limit=5&cursor=")
    assert response.status_code == 200, response.text
    assert response.json() == {"region": "eu", "from": "2026-01-01"}


async def test_a_write_route_refuses_unknown_query_parameters_too():
    response = await _call("POST", "/v1/things?dry_run=true", json={"name": "a", "count": 1})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "dry_run"


@pytest.mark.parametrize(("text", "line", "column"), [
    ('{"name": "a",\n "count": 1,\n}', 3, 1),
    ('{"name": "a" "count": 1}', 1, 14),
])
async def test_malformed_json_reports_line_and_column(text, line, column):
    response = await _call("POST", "/v1/things", content=text.encode(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Malformed JSON"
    [error] = body["errors"]
    assert (error["in"], error["line"], error["column"]) == ("body", line, column)
    assert error["field"] is None
    assert f"line {line}, column {column}" in body["detail"]


async def test_a_role_refusal_names_the_role_each_action_needs():
    outsider = await _call("POST", "/v1/runs", role="config-admin")
    analyst = await _call("POST", "/v1/runs", role="billing-analyst")
    manager = await _call("POST", "/v1/runs", role="billing-manager")
    assert (outsider.status_code, analyst.status_code, manager.status_code) == (403, 403, 200)
    assert outsider.json()["detail"] == ("To run a preview you need the role billing-analyst; to issue a bill run "
                                         "you need the role billing-manager. You hold: config-admin.")
    assert analyst.json()["detail"] == ("To issue a bill run you need the role billing-manager. "
                                        "You hold: billing-analyst.")
