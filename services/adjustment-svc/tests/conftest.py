"""adjustment-svc test fixtures: migrations once per session, the service context, an in-process API client."""

from __future__ import annotations

import httpx
import pytest

from adjustment_svc.bootstrap import build, build_app
from adjustment_svc.settings import Settings
from mediabill_common.testing.plugin import run_migrations


@pytest.fixture(scope="session")
def adjustment_migrated(database_url: str) -> str:
    run_migrations("adjustment-svc", database_url)
    return database_url


@pytest.fixture(scope="session")
async def adjustment_ctx(adjustment_migrated: str, kafka_bootstrap: str, topics_ready: None):
    ctx = build(Settings(database_url=adjustment_migrated, kafka_bootstrap_servers=kafka_bootstrap))
    yield ctx
    await ctx.close()


@pytest.fixture(scope="session")
async def adjustment_api(adjustment_ctx):
    app = build_app(adjustment_ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client
