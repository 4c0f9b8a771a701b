"""/v1/products: ad products, rate cards, prices in effect, readiness, go-live, retirement and simulation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response

from mediabill_common.auth.principal import Principal
from mediabill_common.events.config_state import Channel, PricingModel, ProductState, ProductStatus, RateCard
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal, require_roles
from product_config_svc.adapters.repositories import ProductRepository
from product_config_svc.app import products as use_cases
from product_config_svc.app.common import load
from product_config_svc.app.simulation import SimulationRequest, simulate
from product_config_svc.domain.products import price_on
from product_config_svc.domain.readiness import needs_rate_card
from product_config_svc.entrypoints.api.deps import (
    WRITERS,
    ConfigCtx,
    Simulator,
    after_key,
    next_cursor,
    today,
    unit_for,
)
from product_config_svc.entrypoints.api.product_schemas import (
    PriceInEffect,
    ProductCreate,
    ProductPage,
    ProductPatch,
    ProductView,
    RateCardCreate,
    Readiness,
    Reason,
    SimulateRequest,
    product_view,
)

router = APIRouter(prefix="/v1/products", tags=["products"])
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag from a GET; stale -> 412")]


def _answer(response: Response, stored, status: int = 200) -> dict[str, Any]:
    set_etag(response, stored.version)
    response.status_code = status
    return product_view(stored.state, stored.version)


@router.post("", response_model=ProductView, status_code=201, summary="Set up a new ad product (draft)")
async def create_product(body: ProductCreate, ctx: ConfigCtx, session: Session, principal: Writer,
                         response: Response) -> dict[str, Any]:
    product = ProductState(**body.model_dump(exclude={"reason"}))
    async with session.begin():
        stored = await use_cases.create_product(unit_for(ctx, session, principal), product, body.reason)
    response.headers["Location"] = f"/v1/products/{product.code}"
    return _answer(response, stored, 201)


@router.get("", response_model=ProductPage, summary="Products, filtered and paginated by code")
async def list_products(session: Session, _p: CurrentPrincipal, status: ProductStatus | None = None,
                        channel: Channel | None = None, pricing_model: PricingModel | None = None,
                        limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    rows = await ProductRepository(session).page(
        {"status": status, "channel": channel, "pricing_model": pricing_model}, after_key(cursor), limit)
    return {"items": [product_view(r.state, r.version) for r in rows[:limit]],
            "next_cursor": next_cursor(rows, limit, lambda r: r.state.code)}


@router.get("/{code}", response_model=ProductView, summary="One product with its rate-card history")
async def get_product(code: str, session: Session, _p: CurrentPrincipal, response: Response) -> dict[str, Any]:
    return _answer(response, await load(ProductRepository(session), "product", code))


@router.patch("/{code}", response_model=ProductView, summary="Change a product (If-Match)")
async def patch_product(code: str, body: ProductPatch, ctx: ConfigCtx, session: Session, principal: Writer,
                        response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude={"reason"})
    async with session.begin():
        stored = await use_cases.update_product(unit_for(ctx, session, principal), code, changes,
                                                if_match=if_match, reason=body.reason)
    return _answer(response, stored)


@router.post("/{code}/rate-cards", response_model=ProductView, status_code=201,
             summary="Add an effective-dated rate-card version (append-only)")
async def add_rate_card(code: str, body: RateCardCreate, ctx: ConfigCtx, session: Session, principal: Writer,
                        response: Response) -> dict[str, Any]:
    card = RateCard(**body.model_dump(exclude={"reason"}))
    async with session.begin():
        stored = await use_cases.add_rate_card(unit_for(ctx, session, principal), code, card, today=today(),
                                               reason=body.reason)
    return _answer(response, stored, 201)


@router.get("/{code}/price", response_model=PriceInEffect, summary="The rate-card price in effect on a date")
async def price_in_effect(code: str, session: Session, _p: CurrentPrincipal,
                          on: Annotated[date, Query(description="service date YYYY-MM-DD")],
                          currency: Annotated[str | None, Query(description="needed when the product has rate cards "
                                                                            "in several currencies")] = None,
                          ) -> dict[str, Any]:
    product = (await load(ProductRepository(session), "product", code)).state
    card = price_on(product, on, currency)
    if card is None:
        why = ("it is not priced from a rate card" if not needs_rate_card(product)
               else f"no rate-card version{' in ' + currency if currency else ''} is in effect on {on.isoformat()}")
        raise NotFound(f"product {code} has no price on {on.isoformat()}: {why}")
    return {"code": code, "on": on, "currency": card.currency, "effective_from": card.effective_from,
            "price": card.price, "tiers": card.tiers}


@router.get("/{code}/readiness", response_model=Readiness, summary="The go-live checklist, each item and why")
async def readiness(code: str, simulator: Simulator, ctx: ConfigCtx, session: Session,
                    _p: CurrentPrincipal) -> dict[str, Any]:
    stored, items = await use_cases.readiness(ProductRepository(session), simulator, code, today=today(),
                                              reconciler=ctx.deps.source_reconciler, policy=ctx.deps.cutover_policy)
    return {"code": code, "status": stored.state.status, "ready": all(i.passed for i in items),
            "items": [{"item": i.item, "passed": i.passed, "reason": i.reason} for i in items]}


@router.post("/{code}/activate", response_model=ProductView, summary="draft -> live when every readiness item "
                                                                     "passes (else 409 listing them)")
async def activate(code: str, ctx: ConfigCtx, simulator: Simulator, session: Session, principal: Writer,
                   response: Response, body: Reason | None = None) -> dict[str, Any]:
    async with session.begin():
        stored = await use_cases.activate_product(unit_for(ctx, session, principal), simulator, code,
                                                  today=today(), reason=body.reason if body else None)
    return _answer(response, stored)


@router.post("/{code}/retire", response_model=ProductView, summary="live -> retired")
async def retire(code: str, ctx: ConfigCtx, session: Session, principal: Writer, response: Response,
                 body: Reason | None = None) -> dict[str, Any]:
    async with session.begin():
        stored = await use_cases.retire_product(unit_for(ctx, session, principal), code,
                                                body.reason if body else None)
    return _answer(response, stored)


@router.post("/{code}/simulate", summary="Price sample deliveries via invoice-svc; writes nothing")
async def simulate_product(code: str, body: SimulateRequest, ctx: ConfigCtx, simulator: Simulator, session: Session,
                           principal: CurrentPrincipal) -> dict[str, Any]:
    request = SimulationRequest(
        deliveries=body.deliveries, period=body.period, contract=body.contract, contract_id=body.contract_id,
        bill_to=body.bill_to, bill_to_account_id=body.bill_to_account_id,
        already_billed=[b.model_dump(mode="json") for b in body.already_billed])
    return await simulate(unit_for(ctx, session, principal), simulator, code, request, today=today())
