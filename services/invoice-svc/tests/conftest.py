"""invoice-svc test fixtures: migrations once per session, the service context, helpers for the real broker."""

from __future__ import annotations

import pytest

from invoice_svc.bootstrap import build
from invoice_svc.settings import Settings
from invoice_svc.testing.events import Feed
from invoice_svc.testing.sources import register_test_delivery_sources
from mediabill_common.testing.plugin import run_migrations


@pytest.fixture(scope="session")
def invoice_migrated(database_url: str) -> str:
    run_migrations("invoice-svc", database_url)
    return database_url


@pytest.fixture(scope="session")
async def invoice_ctx(invoice_migrated: str, kafka_bootstrap: str, topics_ready: None):
    ctx = build(Settings(database_url=invoice_migrated, kafka_bootstrap_servers=kafka_bootstrap))
    await register_test_delivery_sources(ctx)
    yield ctx
    await ctx.close()


@pytest.fixture
async def invoice_feed(invoice_ctx, kafka_bootstrap: str, unique: str):
    """Publish to a real topic, read the records back and apply them with the service's real runner."""
    feed = Feed(invoice_ctx, kafka_bootstrap, f"invoice-svc-test-{unique}")
    await feed.start()
    yield feed
    await feed.stop()
