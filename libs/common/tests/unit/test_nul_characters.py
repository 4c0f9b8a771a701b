"""U+0000, which PostgreSQL text and jsonb cannot hold, is refused at the edge with 422."""

import httpx
import pytest
from fastapi import FastAPI

from mediabill_common.web.nul_characters import RefuseNulCharacters
from mediabill_common.web.problems import install_problem_handlers


@pytest.fixture
def client() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RefuseNulCharacters)

    @app.get("/v1/things/{thing_id}")
    async def get_thing(thing_id: str, name: str | None = None) -> dict:
        return {"thing_id": thing_id, "name": name}

    @app.post("/v1/things")
    async def create_thing(body: dict) -> dict:
        return body

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_nul_in_the_query_path_or_body_is_a_422_problem(client):
    query = await client.get("/v1/things/a", params={"name": "x\x00y"})
    assert query.status_code == 422 and query.headers["content-type"] == "application/problem+json"
    assert query.json()["errors"] == [{"field": "name", "in": "query",
                                       "message": "contains the NUL character (U+0000), which no field accepts"}]
    assert (await client.get("/v1/things/a%00b")).json()["errors"][0]["in"] == "path"
    body = await client.post("/v1/things", content=b'{"note": "a\\u0000b"}',
                             headers={"content-type": "application/json"})
    assert body.status_code == 422 and body.json()["errors"][0]["in"] == "body"


async def test_everything_else_passes_through_untouched(client):
    # An escaped backslash followed by "u0000" is six ordinary characters, not U+0000.
    text = {"note": "C:\\u0000 and caf\u00e9"}
    assert (await client.post("/v1/things", json=text)).json() == text
    assert (await client.get("/v1/things/a", params={"name": "%00 in words"})).json()["name"] == "%00 in words"
