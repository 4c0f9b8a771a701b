"""Pricing caller-supplied sample deliveries under a product through invoice-svc; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mediabill_common.events.catalog import CampaignDelivered
from mediabill_common.events.config_state import AccountState, ContractState
from mediabill_common.events.types import period_of
from product_config_svc.app.common import load
from product_config_svc.app.ports import ConfigUnit, PriceSimulator
from product_config_svc.domain.errors import FieldProblem, raise_if_any
from product_config_svc.domain.samples import sample_account, sample_currency


@dataclass
class SimulationRequest:
    """What the caller asks to price; the contract and bill-to may be given inline or by id."""

    deliveries: list[CampaignDelivered]
    period: str | None = None
    contract: ContractState | None = None
    contract_id: str | None = None
    bill_to: AccountState | None = None
    bill_to_account_id: str | None = None
    already_billed: list[dict[str, Any]] = field(default_factory=list)


def _delivery_problems(code: str, deliveries: list[CampaignDelivered], period: str) -> list[FieldProblem]:
    problems = []
    for i, delivery in enumerate(deliveries):
        if delivery.product_code != code:
            problems.append(FieldProblem(f"deliveries[{i}].product_code", f"must be '{code}', the product "
                                                                          "being simulated"))
        if period_of(delivery.delivery_date) != period:
            problems.append(FieldProblem(f"deliveries[{i}].delivery_date", f"is outside the period {period}"))
    return problems


async def _contract_for(unit: ConfigUnit, request: SimulationRequest) -> ContractState | None:
    if request.contract_id is not None:
        return (await load(unit.contracts, "contract", request.contract_id)).state
    return request.contract


async def _bill_to_for(unit: ConfigUnit, request: SimulationRequest, contract: ContractState | None,
                       currency: str, product) -> AccountState:
    if request.bill_to is not None:
        return request.bill_to
    account_id = request.bill_to_account_id or (contract.bill_to_account_id if contract else None)
    if account_id is not None:
        return (await load(unit.accounts, "account", account_id)).state
    return sample_account(product, currency)


async def simulate(unit: ConfigUnit, simulator: PriceSimulator, code: str, request: SimulationRequest,
                   *, today: date) -> dict[str, Any]:
    """invoice-svc's draft invoice for the deliveries; a draft product is priced as it would be once live."""
    product = (await load(unit.products, "product", code)).state
    period = request.period or (period_of(request.deliveries[0].delivery_date) if request.deliveries
                                else period_of(today))
    raise_if_any(_delivery_problems(code, request.deliveries, period))
    contract = await _contract_for(unit, request)
    currency = contract.currency if contract else sample_currency(product)
    bill_to = await _bill_to_for(unit, request, contract, currency, product)
    as_priced = product if product.status == "live" else product.model_copy(update={"status": "live"})
    invoice = await simulator.price({
        "period": period, "product": as_priced.model_dump(mode="json"),
        "contract": contract.model_dump(mode="json") if contract else None,
        "bill_to": bill_to.model_dump(mode="json"), "already_billed": request.already_billed,
        "deliveries": [d.model_dump(mode="json") for d in request.deliveries],
    })
    return {**invoice, "period": period, "product_code": code, "simulated_product_status": product.status}
