"""The read model of billing accounts, kept from billing.config.v1 (event-carried state)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import accounts
from adjustment_svc.app.ports import AccountView
from mediabill_common.events.config_state import AccountState


class AccountReadModel:
    """app.ports.Accounts over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def keep_newer(self, account: AccountState, state_version: int) -> bool:
        """Store the account unless the state held is as new or newer (events may arrive out of order or twice);
        True when stored."""
        row = insert(accounts).values(account_id=account.account_id, state_version=state_version,
                                      legal_name=account.legal_name, state=account.model_dump(mode="json"))
        upsert = row.on_conflict_do_update(
            index_elements=[accounts.c.account_id],
            set_={"state_version": row.excluded.state_version, "legal_name": row.excluded.legal_name,
                  "state": row.excluded.state, "updated_at": func.now()},
            where=accounts.c.state_version < row.excluded.state_version,
        ).returning(accounts.c.account_id)
        return (await self._s.execute(upsert)).first() is not None

    async def get(self, account_id: str) -> AccountView | None:
        row = (await self._s.execute(select(accounts).where(accounts.c.account_id == account_id))).first()
        return None if row is None else AccountView(row.account_id, row.legal_name, row.state_version, row.state)
