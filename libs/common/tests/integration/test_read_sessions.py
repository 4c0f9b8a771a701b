"""GET and HEAD read through autocommit, read-only connections; other methods get a transaction that can write."""

import asyncio

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import MetaData, text
from sqlalchemy.exc import DBAPIError

from mediabill_common.service import build_context, create_app
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.plugin import bearer
from mediabill_common.web.deps import Session
from mediabill_common.web.security import CurrentPrincipal

pytestmark = pytest.mark.integration


def _app(ctx):
    router = APIRouter()

    async def observe(session) -> dict:
        """Two statements in one session: inside a transaction now() stands still, on its own it moves on."""
        wrote: bool | str = True
        try:
            async with session.begin():
                first = (await session.execute(text("SELECT now()"))).scalar_one()
                await asyncio.sleep(0.02)
                second = (await session.execute(text("SELECT now()"))).scalar_one()
                read_only = (await session.execute(text("SHOW transaction_read_only"))).scalar_one()
                await session.execute(text("CREATE TEMPORARY TABLE attempted_write (n int) ON COMMIT DROP"))
        except DBAPIError as exc:
            wrote = "read-only transaction" not in str(exc) and repr(exc)  # False when refused for that reason
        return {"one_transaction": first == second, "read_only": read_only, "wrote": wrote}

    @router.get("/v1/observe")
    async def read(session: Session, _p: CurrentPrincipal) -> dict:
        return await observe(session)

    @router.post("/v1/observe")
    async def write(session: Session, _p: CurrentPrincipal) -> dict:
        return await observe(session)

    return create_app(ctx, title="t", description="t", routers=[router])


async def test_reads_autocommit_on_read_only_connections_and_writes_keep_their_transaction(database_url,
                                                                                         kafka_bootstrap):
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
                               service_name="reads-test")
    ctx = build_context(settings, MetaData())
    headers = bearer("billing-analyst", sub="ana")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(ctx)), base_url="http://t") as client:
            got = await client.get("/v1/observe", headers=headers)
            posted = await client.post("/v1/observe", headers=headers)
    finally:
        await ctx.close()
    assert got.status_code == 200, got.text
    assert got.json() == {"one_transaction": False, "read_only": "on", "wrote": False}
    assert posted.status_code == 200, posted.text
    assert posted.json() == {"one_transaction": True, "read_only": "off", "wrote": True}
