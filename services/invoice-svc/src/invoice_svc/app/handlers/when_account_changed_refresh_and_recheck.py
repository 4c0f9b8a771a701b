"""A billing account was upserted: keep its newer state and re-check the deliveries held for it."""

from __future__ import annotations

from invoice_svc.app.delivery_checks import recheck_held
from invoice_svc.app.ports import InvoiceUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import AccountChanged


async def when_account_changed_refresh_and_recheck(event: Event[AccountChanged], unit: InvoiceUnit) -> None:
    account_id = event.payload.account.account_id
    await unit.config.lock_exclusive("account", account_id)
    if await unit.config.save_account(event.payload.account, event.payload.state_version):
        await recheck_held(unit, "account", account_id)
