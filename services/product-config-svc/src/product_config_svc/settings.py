"""product-config-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from decimal import Decimal

from pydantic import Field

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "product-config-svc"
    port: int = 8001
    invoice_svc_url: str = Field(default="http://127.0.0.1:8002",
                                 description="Base URL of invoice-svc, whose POST /v1/price-simulations prices "
                                             "the readiness sample and product simulations (env INVOICE_SVC_URL).")
    invoice_svc_timeout_s: float = Field(default=10.0, description="Timeout of one call to invoice-svc.")
    cutover_readiness_days: int = Field(default=7, ge=1, le=62, description=(
        "A product's upcoming change of billing source is ready when the new source reconciled with the current "
        "one on each of this many service days before today (oversight.md O1)."))
    cutover_tolerance_pct: Decimal = Field(default=Decimal(1), ge=0, le=100, description=(
        "The cutover readiness item's tolerance on quantity, in % of the current source's."))
