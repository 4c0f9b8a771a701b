"""dispute-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "dispute-svc"
    port: int = 8003
    invoice_svc_url: str = Field(default="http://127.0.0.1:8002",
                                 description="Base URL of invoice-svc (deliveries and price simulations).")
    invoice_svc_timeout_s: float = 10.0
    # invoice-svc's price simulations are pure: evidence packs keep their answers by request (see
    # RememberedPriceSimulations). The TTL bounds how long a pricing change deployed to invoice-svc takes to show.
    reprice_cache_size: int = Field(default=1024, ge=1)
    reprice_cache_ttl_s: float = Field(default=300.0, gt=0)
    dispute_window_days: int = Field(default=90, ge=1, description="Rule 19: days after issue to open a dispute.")
    # Rule 22's auto-approval limit: resolving with a larger credit needs a billing-manager.
    credit_limit_default: Decimal = Decimal("250.00")
    credit_limits: dict[str, Decimal] = Field(default_factory=dict,
                                              description="Per-currency override of the limit, e.g. {\"JPY\": 25000}.")

    # The demo clock: a request may say when it happens (header Mediabill-Demo-Time), so that the demo shows
    # disputes opened, assigned and resolved hours and days apart. For demo and test stacks only: off by default,
    # and refused together with production authentication (a JWKS).
    demo_clock: bool = Field(default=False, description="Demo and test stacks only: honour the "
                                                        "Mediabill-Demo-Time header on dispute changes.")

    @model_validator(mode="after")
    def _demo_clock_is_not_for_production(self) -> Self:
        if self.demo_clock and self.jwt_jwks_url:
            raise ValueError("DEMO_CLOCK lets callers choose the time of what they record; it is for demo and "
                             "test stacks and cannot be enabled with production authentication (JWT_JWKS_URL)")
        return self

    def credit_limit(self, currency: str) -> Decimal:
        return self.credit_limits.get(currency, self.credit_limit_default)
