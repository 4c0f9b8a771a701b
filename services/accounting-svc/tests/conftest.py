"""accounting-svc test fixtures: migrations once per session, the service context, an in-process API client."""

from __future__ import annotations

import httpx
import pytest

from accounting_svc.bootstrap import build, build_app
from accounting_svc.settings import Settings
from mediabill_common.testing.plugin import run_migrations


@pytest.fixture(scope="session")
def accounting_migrated(database_url: str) -> str:
    run_migrations("accounting-svc", database_url)
    return database_url


@pytest.fixture(scope="session")
async def accounting_ctx(accounting_migrated: str, kafka_bootstrap: str, topics_ready: None):
    ctx = build(Settings(database_url=accounting_migrated, kafka_bootstrap_servers=kafka_bootstrap))
    yield ctx
    await ctx.close()


@pytest.fixture(scope="session")
async def accounting_api(accounting_ctx):
    app = build_app(accounting_ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client
