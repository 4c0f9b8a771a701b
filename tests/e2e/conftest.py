import asyncio

import pytest

from mediabill_common.kafka.admin import ensure_topics
from tests.e2e.harness import System, fresh_database
from tools.demo.client import Api


@pytest.fixture(scope="package")
def system(database_url, kafka_bootstrap, tmp_path_factory):
    """All four services (api, consumer, relay each) and collections as real processes, own database."""
    asyncio.run(ensure_topics(kafka_bootstrap))
    url = asyncio.run(fresh_database(database_url, "mediabill_e2e"))
    running = System(url, kafka_bootstrap, tmp_path_factory.mktemp("e2e-logs"))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        print(f"\ne2e process logs: {running.log_dir}")


@pytest.fixture
async def api(system):
    client = Api({name: system.url(name) for name in system.ports})
    yield client
    await client.close()
