"""when a product, account or contract changes: refresh the read model and re-check what it had parked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters import config_repository as config_repo
from invoice_svc.adapters.config_repository import ConfigReader
from invoice_svc.adapters.ledger_repository import LedgerRepository
from invoice_svc.app.delivery_checks import sync_delivery_exceptions
from invoice_svc.domain.ledger.billability import check_billability
from mediabill_common.audit import AuditTrail
from mediabill_common.consumer.decode import Received
from mediabill_common.events.catalog import AccountChanged, ContractChanged, ProductChanged
from mediabill_common.outbox.writer import OutboxWriter

HEALED = "configuration received that makes the delivery billable for this check"


class ConfigReadModel:
    """Handlers for billing.config.v1 (event-carried state: only a newer state_version is applied)."""

    def __init__(self, outbox: OutboxWriter, audit: AuditTrail, config: ConfigReader) -> None:
        self._outbox = outbox
        self._audit = audit
        self._config = config

    async def when_product_changed_refresh_and_recheck(self, session: AsyncSession, received: Received) -> None:
        data: ProductChanged = received.payload  # type: ignore[assignment]
        key = data.product.code
        await config_repo.lock_config_exclusive(session, config_repo.product_key(key))
        if await config_repo.save_product(session, data.product, data.state_version):
            await self.recheck_parked(session, "product", key)

    async def when_account_changed_refresh_and_recheck(self, session: AsyncSession, received: Received) -> None:
        data: AccountChanged = received.payload  # type: ignore[assignment]
        key = data.account.account_id
        await config_repo.lock_config_exclusive(session, config_repo.account_key(key))
        if await config_repo.save_account(session, data.account, data.state_version):
            await self.recheck_parked(session, "account", key)

    async def when_contract_changed_refresh_and_recheck(self, session: AsyncSession, received: Received) -> None:
        data: ContractChanged = received.payload  # type: ignore[assignment]
        key = data.contract.contract_id
        await config_repo.lock_config_exclusive(session, config_repo.contract_key(key))
        if await config_repo.save_contract(session, data.contract, data.state_version):
            await self.recheck_parked(session, "contract", key)

    async def recheck_parked(self, session: AsyncSession, reference: str, key: str) -> None:
        """Re-check every non-billable record referencing what changed, in one pass: records it makes billable
        are released and their exceptions resolve themselves; a new cause raises its own exception."""
        ledger = LedgerRepository(session)
        parked = await ledger.held_referencing(reference, key)
        if not parked:
            return
        records = [r for r, _ in parked]
        config = await self._config.load(session, {r.product_code for r in records},
                                         {r.account_id for r in records},
                                         {r.contract_id for r in records if r.contract_id})
        rechecked, raised = [], []
        for record, held_kinds in parked:
            verdict = check_billability(record, config)
            rechecked.append((record.delivery_id, verdict.kinds))
            # Only causes new to the record are raised: one an analyst already closed is not reopened here.
            raised.extend((record, k, verdict) for k in verdict.kinds if k not in held_kinds)
        await ledger.set_billability(rechecked)
        await sync_delivery_exceptions(session, self._outbox, self._audit, raised=raised, rechecked=rechecked,
                                       resolution=HEALED)
