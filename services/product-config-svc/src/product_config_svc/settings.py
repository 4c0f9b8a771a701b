"""product-config-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from pydantic import Field

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "product-config-svc"
    port: int = 8001
    invoice_svc_url: str = Field(default="http://127.0.0.1:8002",
                                 description="Base URL of invoice-svc, whose POST /v1/price-simulations prices "
                                             "the readiness sample and product simulations (env INVOICE_SVC_URL).")
    invoice_svc_timeout_s: float = Field(default=10.0, description="Timeout of one call to invoice-svc.")
