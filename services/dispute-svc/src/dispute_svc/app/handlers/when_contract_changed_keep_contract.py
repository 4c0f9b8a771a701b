"""Contract events (created, activated, amended, ended): the terms in effect for an invoice's period come from the
contract's newest state; an older state_version arriving late is ignored."""

from __future__ import annotations

from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import ContractChanged


async def when_contract_changed_keep_contract(event: Event[ContractChanged], unit: DisputeUnit) -> None:
    contract = event.payload.contract
    await unit.config.keep_newer("contract", contract.contract_id, event.payload.state_version,
                                 contract.model_dump(mode="json"))
