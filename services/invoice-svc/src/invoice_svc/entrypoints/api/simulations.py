"""POST /v1/price-simulations: pure pricing of sample deliveries, exactly as a bill run prices a group.

Writes nothing and reads nothing: the request carries the product, contract and account states. At most
`price_simulation_max_deliveries` deliveries (422 beyond); validation and pricing run off the event loop for all
but small requests (app/simulation_pool.py). Any authenticated caller may price (api.md: it writes nothing; an
auditor re-prices what was billed); the cap and the worker threads are what bound its cost.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, SkipValidation, ValidationError

from invoice_svc.domain.pricing import (
    InvoiceGroup,
    bill_to_from_state,
    check_storable,
    delivery_from_event,
    out_of_range_reason,
    period_bounds,
    price_invoice_group,
    product_from_state,
    terms_in_effect,
)
from invoice_svc.entrypoints.api.deps import InvoiceCtx
from mediabill_common.events.catalog import CampaignDelivered, InvoiceLine
from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from mediabill_common.events.types import Currency, DecimalStr, Period
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/price-simulations", tags=["pricing"])

_EXAMPLE: dict[str, Any] = {
    "period": "2024-06",
    "product": {"code": "DISPLAY", "name": "Onsite display", "channel": "onsite", "pricing_model": "cpm",
                "status": "live", "rate_cards": [{"effective_from": "2024-01-01", "currency": "USD", "price": "8.00"}]},
    "contract": {"contract_id": "IO-7", "status": "active", "advertiser_account_id": "ADV-1",
                 "bill_to_account_id": "AGY-1", "currency": "USD", "flight_start": "2024-01-01",
                 "flight_end": "2024-12-31", "discount_pct": "5", "agency_commission_pct": "15",
                 "lines": [{"line_item_id": "L1", "product_code": "DISPLAY", "rate": "6.00",
                            "budget": "20000.00"}]},
    "bill_to": {"account_id": "AGY-1", "type": "agency", "legal_name": "Agency Ltd", "currency": "USD"},
    "already_billed": [{"line_item_id": "L1", "amount": "18000.00"}],
    "deliveries": [{"delivery_id": "D-1", "revision": 0, "source_system": "adserver", "account_id": "ADV-1",
                    "contract_id": "IO-7", "campaign_id": "C-1", "line_item_id": "L1", "product_code": "DISPLAY",
                    "delivery_date": "2024-06-03", "impressions": 500000, "viewable_impressions": 0, "clicks": 0,
                    "conversions": 0}],
}


class AlreadyBilled(BaseModel):
    line_item_id: str = Field(min_length=1)
    amount: DecimalStr = Field(description="gross already billed for the contract line on earlier invoices "
                                           "(usage incl. prior-period adjustments; for flat fees, earlier periods)")


class PriceSimulationRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    period: Period
    product: ProductState
    contract: ContractState | None = Field(default=None, description="null: self-serve, on the account's terms")
    bill_to: AccountState
    already_billed: list[AlreadyBilled] = Field(default_factory=list)
    deliveries: list[CampaignDelivered] = Field(default_factory=list)


class SimulatedException(BaseModel):
    kind: str
    message: str
    line_item_id: str | None = None
    refs: dict[str, str | None] = Field(default_factory=dict)
    blocks_issue: bool
    amount_at_risk: DecimalStr | None = None


class DraftInvoiceResponse(BaseModel):
    lines: list[InvoiceLine]
    subtotal: DecimalStr
    discount_total: DecimalStr
    commission_total: DecimalStr
    tax_total: DecimalStr
    total: DecimalStr
    currency: Currency
    exceptions: list[SimulatedException]
    issuable: bool = Field(description="false when an exception blocks issue (e.g. negative_invoice)")


def _field_errors(req: PriceSimulationRequest) -> list[dict[str, Any]]:
    first, last = period_bounds(req.period)
    errors: list[dict[str, Any]] = []

    def error(field: str, message: str) -> None:
        errors.append({"field": field, "in": "body", "message": message})

    for i, d in enumerate(req.deliveries):
        if not first <= d.delivery_date <= last:
            error(f"deliveries.{i}.delivery_date", f"delivery {d.delivery_id} is dated {d.delivery_date}, "
                  f"outside the period {req.period}")
        if d.product_code != req.product.code:
            error(f"deliveries.{i}.product_code", f"delivery {d.delivery_id} is for product {d.product_code}, "
                  f"not the simulated product {req.product.code}")
        if req.contract is not None and d.contract_id not in (None, req.contract.contract_id):
            error(f"deliveries.{i}.contract_id", f"delivery {d.delivery_id} belongs to contract {d.contract_id}, "
                  f"not {req.contract.contract_id}")
    if req.contract is not None and req.contract.bill_to_account_id != req.bill_to.account_id:
        error("bill_to.account_id", f"contract {req.contract.contract_id} bills account "
              f"{req.contract.bill_to_account_id}, not {req.bill_to.account_id}")
    seen: set[str] = set()
    for i, item in enumerate(req.already_billed):
        if item.line_item_id in seen:
            error(f"already_billed.{i}.line_item_id", f"line item {item.line_item_id} is listed twice")
        seen.add(item.line_item_id)
    return errors


def _current_revisions(deliveries: list[CampaignDelivered]) -> list[CampaignDelivered]:
    """A bill run prices each delivery at its highest revision; the simulation does the same."""
    latest: dict[str, CampaignDelivered] = {}
    for d in deliveries:
        if d.delivery_id not in latest or d.revision > latest[d.delivery_id].revision:
            latest[d.delivery_id] = d
    return list(latest.values())


def _priced(raw: Any) -> dict[str, Any]:
    """Validate and price one request (pure CPU: run by the simulation pool)."""
    try:
        body = PriceSimulationRequest.model_validate(raw)
    except ValidationError as exc:  # answered exactly as FastAPI answers a body that does not validate
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    errors = _field_errors(body)
    if errors:
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise Unprocessable(f"The simulation request is not valid: {summary}", errors=errors)
    try:
        terms = terms_in_effect(body.contract, body.period) if body.contract is not None else None
    except ValidationError as exc:  # an amendment's terms that do not make a valid contract
        raise Unprocessable(f"contract.versions: the terms in effect for {body.period} are not valid: {exc}",
                            errors=[{"field": "contract.versions", "in": "body", "message": str(exc)}]) from exc
    group = InvoiceGroup(
        period=body.period, bill_to=bill_to_from_state(body.bill_to),
        products={body.product.code: product_from_state(body.product)},
        deliveries=tuple(delivery_from_event(d) for d in _current_revisions(body.deliveries)),
        terms=terms,
        billed_before={b.line_item_id: Decimal(b.amount) for b in body.already_billed},
        line_id_seed=f"simulation/{body.bill_to.account_id}/"
                     f"{body.contract.contract_id if body.contract else '-'}/{body.period}",
    )
    try:
        return check_storable(price_invoice_group(group)).as_dict()
    except ArithmeticError as exc:  # as a bill run raises pricing_out_of_range for such a group
        reason = out_of_range_reason(exc)
        raise Unprocessable(f"The deliveries cannot be priced under these terms: {reason}",
                            errors=[{"field": "deliveries", "in": "body", "message": reason}]) from None


def _delivery_count(raw: Any, most: int) -> int:
    """How many deliveries the request carries, refused beyond `most` before any of them is validated."""
    deliveries = raw.get("deliveries") if isinstance(raw, dict) else None
    count = len(deliveries) if isinstance(deliveries, list) else 0
    if count > most:
        message = f"at most {most} deliveries per simulation; {count} were sent"
        raise Unprocessable(f"The simulation request is too large: {message}",
                            errors=[{"field": "deliveries", "in": "body", "message": message}])
    return count


@router.post("", response_model=DraftInvoiceResponse, summary="Price sample deliveries (writes nothing)",
             responses={422: {"description": "invalid input, with field errors (problem+json)"}})
async def simulate_pricing(body: Annotated[PriceSimulationRequest, SkipValidation], ctx: InvoiceCtx,
                           _principal: CurrentPrincipal) -> dict[str, Any]:
    """Prices the deliveries of one (bill-to, contract, period) group under the given product, contract terms in
    effect for the period and bill-to account, exactly as a bill run would, and returns the draft invoice. The
    body is validated with the pricing, off the event loop; at most `PRICE_SIMULATION_MAX_DELIVERIES`
    deliveries. For billing-analyst (and above), config-admin and service callers."""
    count = _delivery_count(body, ctx.settings.price_simulation_max_deliveries)
    return await ctx.deps.simulations.run(count, lambda: _priced(body))
