"""invoice-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "invoice-svc"
    port: int = 8002
    # Delivery arrives at high volume: bigger batches amortise the per-transaction round trips (see bench/ingest).
    consumer_batch_size: int = 2000
