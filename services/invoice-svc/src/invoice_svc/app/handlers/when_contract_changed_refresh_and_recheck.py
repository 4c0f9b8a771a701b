"""A contract changed (created, activated, amended, ended): keep its newer state and re-check the deliveries held
for it."""

from __future__ import annotations

from invoice_svc.app.delivery_checks import recheck_held
from invoice_svc.app.ports import InvoiceUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ContractChanged


async def when_contract_changed_refresh_and_recheck(event: Event[ContractChanged], unit: InvoiceUnit) -> None:
    contract_id = event.payload.contract.contract_id
    await unit.config.lock_exclusive("contract", contract_id)
    if await unit.config.save_contract(event.payload.contract, event.payload.state_version):
        await recheck_held(unit, "contract", contract_id)
