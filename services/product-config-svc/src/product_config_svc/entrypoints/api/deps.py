"""Dependencies of the routers: the context, the unit of one change, the price simulator, today's date, a read's
answer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import get_ctx
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import decode_cursor, encode_cursor
from product_config_svc.adapters.unit import config_unit
from product_config_svc.app.ports import ConfigUnit, PriceSimulator
from product_config_svc.context import ProductConfigContext
from product_config_svc.domain.errors import UnknownEntity

WRITERS = ("config-admin",)
ConfigCtx = Annotated[ProductConfigContext, Depends(get_ctx)]


def unit_for(ctx: ProductConfigContext, session: AsyncSession, principal: Principal) -> ConfigUnit:
    return config_unit(session, ctx.outbox, ctx.audit, principal.sub)


async def price_simulator(ctx: ConfigCtx) -> PriceSimulator:
    return ctx.deps.price_simulator


Simulator = Annotated[PriceSimulator, Depends(price_simulator)]


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def after_key(cursor: str | None) -> str | None:
    position = decode_cursor(cursor)
    return str(position["k"]) if position and "k" in position else None


def next_cursor(items: list, limit: int, key) -> str | None:
    return encode_cursor({"k": key(items[limit - 1])}) if len(items) > limit else None


async def stored_answer(response: Response, repository: Any, kind: str, key: str) -> dict[str, Any]:
    """A read of one aggregate: its stored JSON document with its state_version (the response model validates it;
    see `get_document`), the ETag set; 404 when unknown."""
    found = await repository.get_document(key)
    if found is None:
        raise UnknownEntity(kind, key)
    set_etag(response, found.version)
    return {**found.state, "state_version": found.version}
