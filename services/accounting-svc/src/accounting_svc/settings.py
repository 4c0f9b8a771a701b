"""accounting-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from pydantic import Field

from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "accounting-svc"
    port: int = 8006
    invoice_svc_url: str = Field(default="http://127.0.0.1:8002",
                                 description="Base URL of invoice-svc, whose billing status and unbilled snapshot "
                                             "a close reads (close.md C9, C10; env INVOICE_SVC_URL).")
    invoice_svc_timeout_s: float = Field(default=30.0, description="Timeout of one call to invoice-svc.")
    dispute_svc_url: str = Field(default="http://127.0.0.1:8003",
                                 description="Base URL of dispute-svc, whose open disputes the close checklist lists "
                                             "as exposure (close.md C10, informational; env DISPUTE_SVC_URL).")
    adjustment_svc_url: str = Field(default="http://127.0.0.1:8004",
                                    description="Base URL of adjustment-svc, whose pending credit requests the close "
                                                "checklist lists as exposure (close.md C10, informational; env "
                                                "ADJUSTMENT_SVC_URL).")
    exposure_timeout_s: float = Field(default=10.0, gt=0,
                                      description="Timeout of one call to dispute-svc or adjustment-svc for the "
                                                  "checklist; past it the item says it could not be read.")
    ledger_timezone: str = Field(default="UTC", description="Time zone of posting dates and periods (C6).")
    payment_apply_wait_s: float = Field(
        default=300.0, ge=0,
        description="How long a PaymentApplied waits for invoice-svc to apply it before it posts to unapplied cash "
                    "(C4).")
    unapplied_sweep_interval_s: float = Field(default=10.0, gt=0,
                                              description="How often the API looks for payments past the wait.")
