"""The daily check for service days only a shadow source reported (oversight.md O1): a product names its billing
source, another source reported the day, and the billing source did not. The day bills nothing; raise the
informational `missing_billing_source_delivery` once per (line item, day), and resolve it as the system once the
billing source reports the day (or a change of billing sources makes a record of the day bill)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from invoice_svc.app.exceptions import (
    SYSTEM,
    SYSTEM_RESOLVED,
    new_exception,
    publish_resolved,
    raise_exceptions,
)
from invoice_svc.app.ports import BillingUnit, SourceDays
from invoice_svc.domain.close.source_reconciliation import MISSING_BILLING_SOURCE_DELIVERY
from invoice_svc.domain.ledger.sources import source_in_effect

SUPPLIED = "the billing source reported the day"


@dataclass
class MissingDaysCheck:
    raised: list[str] = field(default_factory=list)      # exception ids opened
    resolved: list[str] = field(default_factory=list)


def checked_days(today: date) -> tuple[date, date]:
    """From the first day of the previous month up to yesterday (today's deliveries may still be on their way)."""
    first_this = today.replace(day=1)
    return (first_this - timedelta(days=1)).replace(day=1), today - timedelta(days=1)


async def check_missing_billing_source_days(unit: BillingUnit, days: SourceDays, today: date) -> MissingDaysCheck:
    """Raise for each day only shadow records report; resolve those the billing source has reported since."""
    out = MissingDaysCheck()
    for exception_id in await days.supplied_missing_days():
        resolved = await unit.exceptions.mark_resolved(exception_id, SYSTEM, SUPPLIED, SYSTEM_RESOLVED)
        await publish_resolved(unit, resolved, resolution=SUPPLIED, resolved_by=SYSTEM, root_cause=SYSTEM_RESOLVED)
        out.resolved.append(exception_id)
    start, end = checked_days(today)
    found = await days.shadow_only_days(start, end)
    config = await unit.config.load({row[0] for row in found}, (), ())
    items = []
    for product_code, line_item_id, day, contract_id, account_id, sources in found:
        product = config.products.get(product_code)
        billing = source_in_effect(product.billing_sources, day) if product is not None else None
        refs = {"product_code": product_code, "line_item_id": line_item_id, "service_date": day.isoformat(),
                "contract_id": contract_id, "billing_source_system": billing, "shadow_source_systems": sources}
        items.append(new_exception(MISSING_BILLING_SOURCE_DELIVERY, account_id, refs, None, None,
                                   dedupe_key=f"{MISSING_BILLING_SOURCE_DELIVERY}:{line_item_id}:{day.isoformat()}"))
    out.raised = await raise_exceptions(unit, items, bulk=True)
    return out
