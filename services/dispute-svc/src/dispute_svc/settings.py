"""dispute-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "dispute-svc"
    port: int = 8003
