"""pytest plugin with the real-infrastructure fixtures (loaded by the root pytest config).

Integration tests request `infra` (or `database_url` / `kafka_bootstrap`); an unreachable broker or database
fails them with the reason. Nothing here skips.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mediabill_common.auth.mint import mint_token
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.infra import Infra, InfraUnavailable, resolve_infra

REPO_ROOT = Path(__file__).resolve().parents[5]


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    try:
        found = resolve_infra()
    except InfraUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    os.environ.setdefault("DATABASE_URL", found.database_url)
    os.environ.setdefault("KAFKA_BOOTSTRAP_SERVERS", found.kafka_bootstrap)
    yield found
    found.stop()


@pytest.fixture(scope="session")
def database_url(infra: Infra) -> str:
    return infra.database_url


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Infra) -> str:
    return infra.kafka_bootstrap


@pytest.fixture(scope="session")
def topics_ready(kafka_bootstrap: str) -> None:
    """The contract's topics exist on the broker."""
    import asyncio

    from mediabill_common.kafka.admin import ensure_topics

    asyncio.run(ensure_topics(kafka_bootstrap))


def run_migrations(service_dir: str, database_url: str, target: str = "head", command: str = "upgrade") -> None:
    """Run a service's Alembic migrations in this process. Alembic's env runs its own event loop, so from
    inside a running loop (an async fixture) the work moves to a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_alembic(service_dir, database_url, target, command)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_run_alembic, service_dir, database_url, target, command).result()


def _run_alembic(service_dir: str, database_url: str, target: str, command: str) -> None:
    from alembic import command as alembic_command
    from alembic.config import Config

    ini = REPO_ROOT / "services" / service_dir / "alembic.ini"
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        getattr(alembic_command, command)(Config(str(ini)), target)
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def token(roles: list[str] | str, sub: str | None = None, ttl_s: int = 3600) -> str:
    """A dev token signed with the configured HS256 secret."""
    roles_list = [roles] if isinstance(roles, str) else list(roles)
    return mint_token(sub or f"test-{uuid.uuid4().hex[:8]}", roles_list,
                      secret=ServiceSettings().jwt_hs256_secret or "", ttl_s=ttl_s)


def bearer(roles: list[str] | str, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(roles, sub)}"}


@pytest.fixture
def unique() -> str:
    """A short unique suffix for ids and topic names, so tests never collide on shared infrastructure."""
    return uuid.uuid4().hex[:10]
