"""Use cases of billing accounts: create and change (both publish BillingAccountUpserted)."""

from __future__ import annotations

from typing import Any

from mediabill_common.events.config_state import AccountState
from product_config_svc.app.common import load
from product_config_svc.app.ports import ConfigUnit, Stored
from product_config_svc.domain import accounts as rules


async def create_account(unit: ConfigUnit, account: AccountState, reason: str | None) -> Stored[AccountState]:
    known = await unit.accounts.get_many(account.represented_advertisers)
    rules.validate_account(account, known)
    version = await unit.accounts.add(account)
    await unit.changes.record(event_type="BillingAccountUpserted", entity_type="account", key=account.account_id,
                              state=account, version=version, action="create", before=None, reason=reason)
    return Stored(account, version)


async def update_account(unit: ConfigUnit, account_id: str, changes: dict[str, Any], *, if_match: str | None,
                         reason: str | None) -> Stored[AccountState]:
    stored = await load(unit.accounts, "account", account_id, for_update=True, if_match=if_match)
    represented = changes.get("represented_advertisers", stored.state.represented_advertisers) or []
    known = await unit.accounts.get_many(list(represented))
    updated = rules.update_account(stored.state, changes, known, await unit.contracts.open_naming(account_id))
    version = await unit.accounts.save(updated, stored.version)
    await unit.changes.record(event_type="BillingAccountUpserted", entity_type="account", key=account_id,
                              state=updated, version=version, action="update", before=stored.state, reason=reason)
    return Stored(updated, version)
