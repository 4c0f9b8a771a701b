"""Stairway test: every revision of every service upgrades, downgrades and upgrades again.

Runs in a database of its own so it never disturbs the schemas other tests use.
"""

import asyncio
import re

import asyncpg
import pytest

from deploy.processes import SERVICES
from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.testing.plugin import REPO_ROOT, run_migrations

pytestmark = pytest.mark.integration


def _revisions(service: str) -> list[str]:
    """Revision ids in upgrade order, read from the migration files (each names its down_revision)."""
    parents: dict[str, str | None] = {}
    for path in (REPO_ROOT / "services" / service / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        rev = re.search(r'^revision\s*=\s*"([^"]+)"', text, re.M)
        down = re.search(r'^down_revision\s*=\s*(None|"([^"]+)")', text, re.M)
        assert rev and down, f"{path} must declare revision and down_revision"
        parents[rev.group(1)] = down.group(2)
    order, current = [], None
    while True:
        children = [r for r, d in parents.items() if d == current]
        assert len(children) <= 1, f"{service} has branching revisions after {current}: {children}"
        if not children:
            break
        current = children[0]
        order.append(current)
    assert len(order) == len(parents), f"{service} has revisions not on the main line"
    return order


@pytest.fixture(scope="module")
def stairway_url(database_url):
    name = "mediabill_stairway"
    admin_dsn = asyncpg_dsn(database_url)

    async def recreate(drop_only: bool = False) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if not drop_only:
                await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()

    asyncio.run(recreate())
    yield database_url.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(recreate(drop_only=True))


@pytest.mark.parametrize("service", [svc.name for svc in SERVICES])
def test_every_revision_upgrades_and_downgrades(service, stairway_url):
    revisions = _revisions(service)
    assert revisions, f"{service} has no migrations"
    for index, revision in enumerate(revisions):
        previous = revisions[index - 1] if index else "base"
        run_migrations(service, stairway_url, revision, "upgrade")
        run_migrations(service, stairway_url, previous, "downgrade")
        run_migrations(service, stairway_url, revision, "upgrade")
    run_migrations(service, stairway_url, "base", "downgrade")
