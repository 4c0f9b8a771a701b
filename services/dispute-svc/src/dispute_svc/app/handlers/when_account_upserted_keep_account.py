"""BillingAccountUpserted: the bill-to account the evidence pack shows and re-prices for; newest state kept."""

from __future__ import annotations

from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import AccountChanged


async def when_account_upserted_keep_account(event: Event[AccountChanged], unit: DisputeUnit) -> None:
    account = event.payload.account
    await unit.config.keep_newer("account", account.account_id, event.payload.state_version,
                                 account.model_dump(mode="json"))
