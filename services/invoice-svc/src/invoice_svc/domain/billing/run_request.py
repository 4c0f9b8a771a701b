"""What a bill run may be asked for: a period that has begun, and bill-to accounts that exist."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from invoice_svc.domain.errors import InvalidRequest


def check_bill_run_request(period: str, *, today: date, bill_to_account_ids: Sequence[str] | None,
                           known_accounts: Collection[str], mode: str = "preview",
                           source_system: str | None = None) -> None:
    """Raise InvalidRequest for a run that could only bill nothing, or the wrong thing.

    A period after `today`'s month has no deliveries yet (a run for it would issue empty or wrong invoices and
    mark the month invoiced); the current month may be previewed and issued as billing-rules allow. Every
    bill-to account named must be known (configured in product-config-svc): a mistyped id silently billed no one.
    A run priced as if another delivery source billed (`source_system`, oversight.md O1) is a shadow preview: it
    can never issue.
    """
    if source_system is not None and mode != "preview":
        raise InvalidRequest(f"A run priced as if {source_system!r} billed is a shadow preview and never issues: "
                             "request it with mode \"preview\".", field="source_system")
    if period > f"{today:%Y-%m}":
        raise InvalidRequest(f"The period {period} has not begun (today is {today.isoformat()}): bill a period "
                             f"up to {today:%Y-%m}.", field="period")
    unknown = [a for a in dict.fromkeys(bill_to_account_ids or ()) if a not in known_accounts]
    if unknown:
        raise InvalidRequest(f"unknown bill-to account {', '.join(unknown)}: no such account is configured "
                             "(product-config-svc /v1/accounts); nothing was queued.", field="bill_to_account_ids")
