"""Collections' settings: the services' own (database, broker, JWT verification, body limit) plus its group."""

from __future__ import annotations

from mediabill_common.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    service_name: str = "collections"
    # The consumer group of billing.invoices.v1 and billing.disputes.v1 (COLLECTIONS_GROUP); a second collections
    # system on the same broker (an e2e or fault-test system) sets its own.
    collections_group: str = "collections"

    @property
    def asyncpg_url(self) -> str:
        """DATABASE_URL as asyncpg takes it (the services' URLs name SQLAlchemy's asyncpg dialect)."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
