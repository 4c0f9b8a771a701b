"""Use cases of contracts (IOs): create, edit a draft, activate, amend, end."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from product_config_svc.app.common import load
from product_config_svc.app.ports import ConfigUnit, Stored
from product_config_svc.domain import contracts as rules
from product_config_svc.domain.errors import validated


async def _parties_and_products(unit: ConfigUnit, contract: ContractState) \
        -> tuple[dict[str, AccountState], dict[str, ProductState]]:
    accounts = await unit.accounts.get_many([contract.advertiser_account_id, contract.bill_to_account_id])
    products = await unit.products.get_many([line.product_code for line in contract.lines])
    return accounts, products


async def _record(unit: ConfigUnit, contract: ContractState, version: int, event_type: str, action: str,
                  before: ContractState | None, reason: str | None) -> Stored[ContractState]:
    await unit.changes.record(event_type=event_type, entity_type="contract", key=contract.contract_id,
                              state=contract, version=version, action=action, before=before, reason=reason)
    return Stored(contract, version)


async def create_contract(unit: ConfigUnit, contract: ContractState, reason: str | None) -> Stored[ContractState]:
    accounts, products = await _parties_and_products(unit, contract)
    draft = rules.new_contract(contract, accounts, products)
    version = await unit.contracts.add(draft)
    return await _record(unit, draft, version, "ContractCreated", "create", None, reason)


async def revise_draft(unit: ConfigUnit, contract_id: str, changes: dict[str, Any], *, if_match: str | None,
                       reason: str | None) -> Stored[ContractState]:
    """A draft's terms change in place; the event is ContractCreated again (the draft is still being set up)."""
    stored = await load(unit.contracts, "contract", contract_id, for_update=True, if_match=if_match)
    probe = validated(ContractState, {**stored.state.model_dump(mode="json"), **changes})
    accounts, products = await _parties_and_products(unit, probe)
    revised = rules.revise_draft(stored.state, changes, accounts, products)
    version = await unit.contracts.save(revised, stored.version)
    return await _record(unit, revised, version, "ContractCreated", "update_draft", stored.state, reason)


async def activate_contract(unit: ConfigUnit, contract_id: str, *, if_match: str | None,
                            reason: str | None) -> Stored[ContractState]:
    stored = await load(unit.contracts, "contract", contract_id, for_update=True, if_match=if_match)
    _accounts, products = await _parties_and_products(unit, stored.state)
    elsewhere = await unit.contracts.line_items_in_other_active(
        [line.line_item_id for line in stored.state.lines], contract_id)
    active = rules.activate(stored.state, products, elsewhere)
    version = await unit.contracts.save(active, stored.version)
    return await _record(unit, active, version, "ContractActivated", "activate", stored.state, reason)


async def amend_contract(unit: ConfigUnit, contract_id: str, *, effective_from: date, changes: dict[str, Any],
                         reason: str, now: datetime, if_match: str | None) -> Stored[ContractState]:
    """A new version effective from a date; 409 if it would rewrite a period that has been invoiced."""
    stored = await load(unit.contracts, "contract", contract_id, for_update=True, if_match=if_match)
    probe = validated(ContractState, {**stored.state.model_dump(mode="json"), **changes})
    accounts, products = await _parties_and_products(unit, probe)
    elsewhere = await unit.contracts.line_items_in_other_active(
        [line.line_item_id for line in probe.lines], contract_id)
    amendment = rules.Amendment(effective_from=effective_from, changes=changes, reason=reason,
                                recorded_by=unit.actor, recorded_at=now)
    amended = rules.amend(stored.state, amendment, accounts, products,
                          await unit.invoiced.for_contract(contract_id), elsewhere)
    version = await unit.contracts.save(amended, stored.version)
    return await _record(unit, amended, version, "ContractAmended", "amend", stored.state, reason)


async def end_contract(unit: ConfigUnit, contract_id: str, *, if_match: str | None,
                       reason: str | None) -> Stored[ContractState]:
    stored = await load(unit.contracts, "contract", contract_id, for_update=True, if_match=if_match)
    ended = rules.end(stored.state)
    version = await unit.contracts.save(ended, stored.version)
    return await _record(unit, ended, version, "ContractEnded", "end", stored.state, reason)
