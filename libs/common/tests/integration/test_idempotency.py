"""Idempotency-Key at the middleware: replay, another body, in progress, a claim abandoned by a dead process, and
no replay for a token that does not verify."""

import time

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import text, update

from mediabill_common.audit import AuditTrail
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.outbox.writer import OutboxWriter
from mediabill_common.service import Dependencies, ServiceContext, create_app
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import bearer
from mediabill_common.web.health import KafkaProbe
from mediabill_common.web.idempotency import IdempotencyMiddleware
from mediabill_common.web.problems import install_problem_handlers
from mediabill_common.web.security import CurrentPrincipal

pytestmark = pytest.mark.integration


def _app(ctx: ServiceContext, calls: list):
    router = APIRouter()

    @router.post("/v1/things", status_code=201)
    async def create_thing(body: dict, _p: CurrentPrincipal) -> dict:
        calls.append(body)
        return {"n": len(calls)}

    return create_app(ctx, title="t", description="t", routers=[router])


def _ctx(common_schema, database_url: str, kafka_bootstrap: str) -> ServiceContext[ServiceSettings, Dependencies]:
    _, tables, engine, sessions = common_schema
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
    return ServiceContext(settings=settings, engine=engine, sessions=sessions, tables=tables,
                          outbox=OutboxWriter(tables.outbox, source="/t"), audit=AuditTrail(tables.audit_log),
                          verifier=JwtVerifier(hs256_secret=settings.jwt_hs256_secret),
                          kafka_probe=KafkaProbe(kafka_bootstrap), deps=Dependencies())


async def test_replay_conflict_and_takeover_of_an_abandoned_claim(common_schema, database_url, kafka_bootstrap):
    _, tables, _, sessions = common_schema
    ctx = _ctx(common_schema, database_url, kafka_bootstrap)
    calls: list = []
    headers = {**bearer("billing-analyst", sub="ana"), "Idempotency-Key": "k-1"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(ctx, calls)), base_url="http://t") as client:
        first = await client.post("/v1/things", json={"a": 1}, headers=headers)
        again = await client.post("/v1/things", json={"a": 1}, headers=headers)
        other = await client.post("/v1/things", json={"a": 2}, headers=headers)
        assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        assert len(calls) == 1

        # A process died holding key k-2: fresh claims answer 409, an abandoned one is taken over.
        async with sessions.begin() as session:
            await session.execute(tables.idempotency_keys.insert().values(
                key="k-2", scope="POST /v1/things ana", request_hash="x"))
        stuck = {**headers, "Idempotency-Key": "k-2"}
        assert (await client.post("/v1/things", json={"a": 3}, headers=stuck)).status_code == 409
        async with sessions.begin() as session:
            await session.execute(update(tables.idempotency_keys).where(tables.idempotency_keys.c.key == "k-2")
                                  .values(created_at=text("now() - interval '5 minutes'")))
        taken = await client.post("/v1/things", json={"a": 3}, headers=stuck)
        assert taken.status_code == 201 and len(calls) == 2


async def test_the_middleware_alone_replays_nothing_to_a_token_that_does_not_verify(common_schema, database_url,
                                                                                    kafka_bootstrap, unique):
    """Without the edge check in front (an app assembled by hand), the Idempotency-Key scope is still the verified
    caller: a forged token naming the same `sub` gets 401, not the stored response."""
    ctx = _ctx(common_schema, database_url, kafka_bootstrap)
    calls: list = []
    router = APIRouter()

    @router.post("/v1/things", status_code=201)
    async def create_thing(body: dict, _p: CurrentPrincipal) -> dict:
        calls.append(body)
        return {"n": len(calls)}

    app = FastAPI()
    app.state.verifier = ctx.verifier
    install_problem_handlers(app)
    app.add_middleware(IdempotencyMiddleware, table_getter=lambda: ctx.tables.idempotency_keys,
                       engine_getter=lambda: ctx.engine)
    app.include_router(router)
    key = {"Idempotency-Key": f"k-{unique}"}
    forged = jwt.encode({"sub": f"ana-{unique}", "roles": ["billing-analyst"], "exp": int(time.time()) + 600},
                        None, algorithm="none")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        first = await client.post("/v1/things", json={"a": 1}, headers=bearer("billing-analyst", f"ana-{unique}") | key)
        replay = await client.post("/v1/things", json={"a": 1}, headers={"Authorization": f"Bearer {forged}"} | key)
    assert first.status_code == 201
    assert (replay.status_code, replay.headers["content-type"]) == (401, "application/problem+json")
    assert "idempotent-replayed" not in replay.headers and len(calls) == 1
