"""adjustment-svc settings (environment variables; names shared with the stack and docker-compose.yml)."""

from adjustment_svc.domain.approval_basis import AccountWindow
from mediabill_common.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "adjustment-svc"
    port: int = 8004
    # Rule 22 on cumulative amounts: a bill-to account's credits (debits) are summed over the calendar month in
    # which they are requested (UTC), or over the billing period of the invoices they adjust.
    approval_account_window: AccountWindow = AccountWindow.REQUEST_MONTH
