"""Crosswalks (oversight.md O1): a delivery source's line item ids mapped to ours, applied at ingestion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from invoice_svc.adapters.crosswalk_repository import CrosswalkRepository
from invoice_svc.app.crosswalks import load_crosswalk
from invoice_svc.domain.ledger.crosswalks import MAX_CROSSWALK_ENTRIES
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import Session
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["deliveries"])
ConfigAdmin = Annotated[Principal, Depends(require_roles("config-admin"))]
LineItemId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SourceSystem = Annotated[str, Path(min_length=1, max_length=200, description="a delivery source's source_system")]


class CrosswalkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "line_items": {"OMS-LI-88213": "L1", "OMS-LI-88214": "L2"}, "reason": "OMS parallel run"}]})

    line_items: dict[LineItemId, LineItemId] = Field(
        max_length=MAX_CROSSWALK_ENTRIES, description="the source's line item id -> ours; replaces the whole crosswalk")
    reason: str | None = Field(default=None, max_length=2000, description="why (kept in the audit trail)")


class CrosswalkOut(BaseModel):
    source_system: str
    line_items: dict[str, str] = Field(description="the source's line item id -> ours")


@router.put("/v1/source-crosswalks/{source_system}", response_model=CrosswalkOut,
            summary="Load a delivery source's crosswalk: its line item ids -> ours (config-admin; applies to the "
                    "deliveries ingested from now on)")
async def put_crosswalk(source_system: SourceSystem, body: CrosswalkIn, unit: RequestUnit,
                        principal: ConfigAdmin) -> dict[str, Any]:
    async with unit.session.begin():
        line_items = await load_crosswalk(unit, source_system, body.line_items, actor=principal.sub,
                                          reason=body.reason)
    return {"source_system": source_system, "line_items": line_items}


@router.get("/v1/source-crosswalks/{source_system}", response_model=CrosswalkOut,
            summary="A delivery source's crosswalk (empty when none is loaded)")
async def get_crosswalk(source_system: SourceSystem, session: Session, _p: CurrentPrincipal) -> dict[str, Any]:
    return {"source_system": source_system, "line_items": await CrosswalkRepository(session).of_source(source_system)}
