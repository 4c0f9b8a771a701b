"""OpenAPI links are written from a declarative list, checked against the generated document."""

import pytest
from fastapi import FastAPI, Header
from openapi_spec_validator import validate

from mediabill_common.web.openapi_links import ETAG, Link, document_links, follow


def _app(links: list[Link]) -> FastAPI:
    app = FastAPI(title="t")

    @app.post("/v1/things", status_code=201)
    async def create_thing() -> dict:
        return {"thing_id": "1"}

    @app.get("/v1/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict:
        return {"thing_id": thing_id}

    @app.post("/v1/things/{thing_id}/close")
    async def close(thing_id: str, if_match: str | None = Header(default=None)) -> dict:
        return {"thing_id": thing_id}

    document_links(app, links)
    return app


def test_links_name_the_target_operation_and_its_declared_parameters():
    created = ("POST", "/v1/things", "201")
    app = _app([*follow(created, {"thing_id": "$response.body#/thing_id"}, ("GET", "/v1/things/{thing_id}")),
                Link(created, ("POST", "/v1/things/{thing_id}/close"),
                     {"thing_id": "$response.body#/thing_id", "If-Match": ETAG})])
    document = app.openapi()
    validate(document)
    links = document["paths"]["/v1/things"]["post"]["responses"]["201"]["links"]
    assert links == {
        "get_thing": {"operationId": "get_thing_v1_things__thing_id__get",
                      "parameters": {"thing_id": "$response.body#/thing_id"}},
        # The header parameter keeps the name the target declares.
        "close": {"operationId": "close_v1_things__thing_id__close_post",
                  "parameters": {"thing_id": "$response.body#/thing_id", "if-match": "$response.header.ETag"}},
    }
    # The response a link reads the ETag from declares that header.
    assert set(document["paths"]["/v1/things"]["post"]["responses"]["201"]["headers"]) == {"ETag"}
    assert app.openapi() is document  # built once, links added once


@pytest.mark.parametrize(("link", "problem"), [
    (Link(("POST", "/v1/things", "200"), ("GET", "/v1/things/{thing_id}")), "documents no 200 response"),
    (Link(("POST", "/v1/things", "201"), ("GET", "/v1/gone/{id}")), "is not an operation"),
    (Link(("POST", "/v1/things", "201"), ("GET", "/v1/things/{thing_id}"), {"id": "$response.body#/thing_id"}),
     "has no parameter 'id'"),
    (Link(("POST", "/v1/things", "201"), ("GET", "/v1/things/{thing_id}"), request_body={"a": 1}),
     "takes no request body"),
])
def test_a_link_to_nowhere_fails_when_the_document_is_built(link, problem):
    with pytest.raises(ValueError, match=problem):
        _app([link]).openapi()
