"""Finding the real Kafka broker and PostgreSQL server the integration tests need.

Order: `DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` from the environment (set by `./mediabill test`, which starts a
throwaway local stack), else testcontainers when a Docker engine answers. If neither gives a reachable broker and
database the tests FAIL with the reason: they never skip, with or without CI=true.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from mediabill_common.db.engine import asyncpg_dsn

if TYPE_CHECKING:  # imported where containers are started: most runs never need Docker's client
    from testcontainers.core.container import DockerContainer


@dataclass
class Infra:
    database_url: str
    kafka_bootstrap: str
    origin: str
    _containers: list[DockerContainer] = field(default_factory=list)

    def stop(self) -> None:
        for container in self._containers:
            container.stop()


class InfraUnavailable(RuntimeError):
    pass


def _docker_available() -> bool:
    try:
        import docker  # testcontainers' dependency

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: all mean "no Docker"
        return False


def _from_testcontainers() -> Infra:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    pg = PostgresContainer("postgres:15", username="mediabill", password="mediabill", dbname="mediabill",
                           driver="asyncpg").start()
    kafka = KafkaContainer("confluentinc/cp-kafka:7.8.0").with_kraft().start()
    return Infra(pg.get_connection_url(), kafka.get_bootstrap_server(), "testcontainers", [kafka, pg])


async def _check(infra: Infra) -> None:
    try:
        conn = await asyncio.wait_for(asyncpg.connect(asyncpg_dsn(infra.database_url)), timeout=10)
        await conn.close()
    except Exception as exc:
        raise InfraUnavailable(f"PostgreSQL at {infra.database_url} is unreachable: {exc!r}") from exc
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=10_000)
    try:
        await asyncio.wait_for(admin.start(), timeout=15)
        await admin.list_topics()
    except Exception as exc:
        raise InfraUnavailable(f"Kafka at {infra.kafka_bootstrap} is unreachable: {exc!r}") from exc
    finally:
        await admin.close()


def resolve_infra() -> Infra:
    """The broker and database to test against, checked reachable; raises InfraUnavailable otherwise."""
    url, bootstrap = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if url and bootstrap:
        infra = Infra(url, bootstrap, "environment")
    elif _docker_available():
        infra = _from_testcontainers()
    else:
        raise InfraUnavailable(
            "No Kafka broker and PostgreSQL server: set DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS, run the suite "
            "with `./mediabill test` (it starts a local stack), or provide a Docker engine for testcontainers.")
    asyncio.run(_check(infra))
    return infra
