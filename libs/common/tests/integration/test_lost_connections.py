"""A database connection that dies in the pool: an idle one is replaced before use; one that dies while in
steady use fails its request once with a 503 problem (nothing written), and the next request reconnects."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from mediabill_common.db.engine import make_engine
from mediabill_common.db.errors import is_database_unavailable
from mediabill_common.web.problems import install_problem_handlers

pytestmark = pytest.mark.integration


async def _backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _terminate(database_url: str, pid: int) -> None:
    killer = make_engine(database_url)
    try:
        async with killer.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    finally:
        await killer.dispose()


async def test_an_idle_connection_that_died_is_replaced_before_it_is_used(database_url):
    engine = make_engine(database_url, pool_size=1, max_overflow=0, ping_if_idle_s=0)
    try:
        dead = await _backend_pid(engine)
        await _terminate(database_url, dead)
        fresh = await _backend_pid(engine)  # no error reaches the caller
        assert fresh != dead
    finally:
        await engine.dispose()


async def test_a_connection_lost_in_steady_use_fails_one_request_with_503_then_recovers(database_url):
    engine = make_engine(database_url, pool_size=1, max_overflow=0, ping_if_idle_s=3600)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/pid")
    async def pid() -> dict:
        async with engine.connect() as conn:
            return {"pid": (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()}

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://t") as client:
            first = (await client.get("/pid")).json()["pid"]
            await _terminate(database_url, first)
            lost = await client.get("/pid")
            assert lost.status_code == 503, lost.text
            assert lost.headers["content-type"] == "application/problem+json"
            assert lost.headers["retry-after"] == "1"
            assert "database is unavailable" in lost.json()["detail"]
            again = await client.get("/pid")
            assert again.status_code == 200 and again.json()["pid"] != first
    finally:
        await engine.dispose()


def test_only_lost_connections_count_as_unavailable():
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    assert is_database_unavailable(ConnectionRefusedError("refused"))
    assert not is_database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_database_unavailable(ProgrammingError("SELECT", {}, Exception("syntax error")))
    assert not is_database_unavailable(ValueError("bad"))
