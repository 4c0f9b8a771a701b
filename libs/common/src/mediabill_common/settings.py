"""Settings shared by every Mediabill service, read from the environment (pydantic-settings).

The same names are used by the local stack (`./mediabill`), docker-compose.yml and the test fixtures.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it to add its own and to set its defaults."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    service_name: str = "mediabill"
    database_url: str = Field(
        default="postgresql+asyncpg://mediabill:mediabill@127.0.0.1:55432/mediabill",
        description="SQLAlchemy async URL of the service's PostgreSQL database.",
    )
    # Connections kept open per process; beyond them up to db_max_overflow more are opened for a burst and closed
    # again. An API under load needs one per request in flight; consumers and relays use one or two.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    kafka_bootstrap_servers: str = Field(default="127.0.0.1:39092")
    port: int = 8000
    host: str = "127.0.0.1"
    # How long an idle keep-alive connection stays open. Longer than the idle timeout of the clients and load
    # balancers in front (commonly 60 s): when the server closes first, a request the client sends on that
    # connection at the same moment fails with "connection closed". uvicorn's own default is 5 s.
    http_keep_alive_s: float = Field(default=75.0, gt=0)
    # The largest request body served; a larger one is answered 413 without being read further. Mediabill's
    # requests are commands of a few KiB, so 1 MiB leaves room and still bounds what one caller can make a
    # process buffer.
    http_max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    log_level: str = "INFO"
    # Auth: HS256 with a shared secret (development) or RS256 verified against a JWKS (production).
    jwt_hs256_secret: str | None = Field(default="mediabill-dev-secret-change-me-0123456789")
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # The claim holding a person's roles in the identity provider's tokens (the console reads the same setting).
    jwt_roles_claim: str = "roles"
    # FastAPI's native OpenTelemetry (request spans and metrics, operation spans, exception logs) for an operator
    # who configures an OpenTelemetry SDK and exporter. Off by default: nothing here exports it, and even with no
    # provider configured FastAPI checks for one on every request.
    otel_telemetry: bool = False
    # Consumers. The Kafka consumer group defaults to the service name; a second, independent deployment on the
    # same broker (an e2e or fault-test system beside another one) sets its own.
    consumer_group: str | None = None
    consumer_batch_size: int = 500
    # What the broker gathers before it answers a fetch (or how long it waits at most): see make_consumer.
    consumer_fetch_min_bytes: int = Field(default=1, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=500, ge=0)
    consumer_max_attempts: int = 5
    # Runners per consumer process: each reads with a consumer of its own in the process's group (Kafka gives each
    # its own partitions) and applies its batches in transactions of its own, so that one's database work overlaps
    # another's decoding and handling on the process's single interpreter. Per-key order and exactly-once effects
    # are those of as many consumer processes.
    consumer_runners: int = Field(default=1, ge=1)
    # Sources accepted on the topics fed from outside, per topic, replacing the defaults for that topic
    # (events/sources.py: any /ad-platforms/... source for ads.delivery.v1, any /collections/... for
    # collections.payments.v1). A pattern ending in "/" accepts every source below it, any other exactly itself.
    # e.g. EXTERNAL_EVENT_SOURCES='{"ads.delivery.v1": ["/ad-platforms/pio", "/ad-platforms/oms"]}'
    external_event_sources: dict[str, list[str]] = Field(default_factory=dict)
    # Outbox relay
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
