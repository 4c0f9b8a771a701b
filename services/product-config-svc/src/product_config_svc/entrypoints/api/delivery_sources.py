"""/v1/delivery-sources: the delivery sources and the CloudEvents sources allowed to publish each one's deliveries
(oversight.md O1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from mediabill_common.auth.principal import Principal
from mediabill_common.events.config_state import DeliverySourceState
from mediabill_common.events.types import Id
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit
from mediabill_common.web.security import CurrentPrincipal, require_roles
from product_config_svc.adapters.repositories import DeliverySourceRepository
from product_config_svc.app.delivery_sources import register_delivery_source
from product_config_svc.domain.delivery_sources import SOURCE_SYSTEM_FORMAT
from product_config_svc.entrypoints.api.deps import WRITERS, ConfigCtx, after_key, next_cursor, unit_for

router = APIRouter(prefix="/v1/delivery-sources", tags=["delivery-sources"])
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag from a GET; stale -> 412")]
SourceSystem = Annotated[str, Path(max_length=64, description="as deliveries name it in `source_system`, e.g. `pio`",
                                   json_schema_extra={"pattern": SOURCE_SYSTEM_FORMAT.pattern})]


class DeliverySourcePut(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Order management system", "event_sources": ["/ad-platforms/oms"],
        "reason": "OMS starts its parallel run"}]})

    name: str = Field(min_length=1, max_length=300)
    event_sources: list[Id] = Field(min_length=1, max_length=50, description=(
        "the CloudEvents `source` values allowed to publish this system's deliveries; one ending in `/` allows "
        "every source below it"))
    reason: str | None = Field(default=None, max_length=2000)


class DeliverySourceView(DeliverySourceState):
    state_version: int


class DeliverySourcePage(BaseModel):
    items: list[DeliverySourceView]
    next_cursor: str | None = None


@router.put("/{source_system}", response_model=DeliverySourceView,
            summary="Register a delivery source or change its allowed event sources",
            responses={201: {"model": DeliverySourceView, "description": "registered"}})
async def put_delivery_source(source_system: SourceSystem, body: DeliverySourcePut, ctx: ConfigCtx,
                              session: Session, principal: Writer, response: Response,
                              if_match: IfMatch = None) -> dict[str, Any]:
    state = DeliverySourceState(source_system=source_system, name=body.name, event_sources=body.event_sources)
    async with session.begin():
        stored, created = await register_delivery_source(unit_for(ctx, session, principal), state,
                                                         if_match=if_match, reason=body.reason)
    set_etag(response, stored.version)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/delivery-sources/{source_system}"
    return {**stored.state.model_dump(mode="json"), "state_version": stored.version}


@router.get("", response_model=DeliverySourcePage, summary="Delivery sources, paginated by source_system")
async def list_delivery_sources(session: Session, _p: CurrentPrincipal, limit: Limit = 50,
                                cursor: Cursor = None) -> dict[str, Any]:
    rows = await DeliverySourceRepository(session).page_documents({}, after_key(cursor), limit)
    return {"items": [{**r.state, "state_version": r.version} for r in rows[:limit]],
            "next_cursor": next_cursor(rows, limit, lambda r: r.state["source_system"])}
