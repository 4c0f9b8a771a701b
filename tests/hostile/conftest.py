"""Each consuming service's real context on the real database and broker (schemas migrated once)."""

from __future__ import annotations

import pytest

from invoice_svc.testing.sources import register_test_delivery_sources
from mediabill_common.testing.plugin import run_migrations
from tests.contracts.conftest import BUILDERS


async def _context(service: str, database_url: str, kafka_bootstrap: str):
    settings_cls, build, _ = BUILDERS[service]
    run_migrations(service, database_url)
    return build(settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap))


@pytest.fixture(scope="session")
async def hostile_invoice_ctx(database_url, kafka_bootstrap, topics_ready):
    ctx = await _context("invoice-svc", database_url, kafka_bootstrap)
    await register_test_delivery_sources(ctx)
    yield ctx
    await ctx.close()


@pytest.fixture(scope="session")
async def hostile_contexts(hostile_invoice_ctx, database_url, kafka_bootstrap):
    """{service: context} for every consuming service (parametrized tests pick theirs by name)."""
    contexts = {"invoice-svc": hostile_invoice_ctx}
    for service in ("dispute-svc", "adjustment-svc"):
        contexts[service] = await _context(service, database_url, kafka_bootstrap)
    yield contexts
    for service in ("dispute-svc", "adjustment-svc"):
        await contexts[service].close()
