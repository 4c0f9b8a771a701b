"""BillingAccountUpserted: keep the newest state of the account (its name and contact go on credit memos)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.account_repository import AccountReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps
from mediabill_common.events.catalog import AccountChanged
from mediabill_common.events.envelope import Envelope


async def when_account_upserted_keep_account(session: AsyncSession, envelope: Envelope, payload: AccountChanged,
                                             deps: HandlerDeps) -> None:
    await AccountReadModel(session).keep_newer(payload.account, payload.state_version)
