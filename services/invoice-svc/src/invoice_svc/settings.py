"""invoice-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "invoice-svc"
    port: int = 8002
