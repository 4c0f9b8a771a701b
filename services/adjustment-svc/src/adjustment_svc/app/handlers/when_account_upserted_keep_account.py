"""BillingAccountUpserted: keep the newest state of the account (its name and contact go on credit memos)."""

from __future__ import annotations

from adjustment_svc.app.ports import AdjustmentUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import AccountChanged


async def when_account_upserted_keep_account(event: Event[AccountChanged], unit: AdjustmentUnit) -> None:
    await unit.accounts.keep_newer(event.payload.account, event.payload.state_version)
