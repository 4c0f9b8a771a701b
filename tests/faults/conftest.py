import asyncio

import pytest

from mediabill_common.kafka.admin import ensure_topics
from tests.e2e.harness import System, fresh_database
from tests.faults.chaos import NO_STACK, Stack


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: injects process kills and broker/database restarts (needs "
                                       "./mediabill test's throwaway stack)")


@pytest.fixture(scope="module")
def stack() -> Stack:
    found = Stack.from_env()
    if found is None:
        pytest.fail(NO_STACK, pytrace=False)
    return found


@pytest.fixture(scope="module")
def fault_system(stack, database_url, kafka_bootstrap, tmp_path_factory):
    """All four services and collections as real processes on a database of their own, with their own consumer
    groups; a bill run whose executor died is taken over after 8 s instead of a minute."""
    asyncio.run(ensure_topics(kafka_bootstrap))
    url = asyncio.run(fresh_database(database_url, "mediabill_faults"))
    running = System(url, kafka_bootstrap, tmp_path_factory.mktemp("faults-logs"), name="faults",
                     env={"BILL_RUN_STALE_AFTER_S": "8", "RELAY_POLL_INTERVAL_S": "0.5"})
    try:
        running.start()
        yield running
    finally:
        running.stop()
        print(f"\nfault suite process logs: {running.log_dir}")
