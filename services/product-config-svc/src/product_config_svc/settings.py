"""product-config-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "product-config-svc"
    port: int = 8001
