"""Dependencies of dispute-svc's routers: the typed context and the unit of one change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from dispute_svc.adapters.unit import SqlUnit
from dispute_svc.context import DisputeContext
from dispute_svc.entrypoints.consumer import unit_in
from mediabill_common.web.deps import Session, get_ctx

DisputeCtx = Annotated[DisputeContext, Depends(get_ctx)]


async def request_unit(ctx: DisputeCtx, session: Session) -> SqlUnit:
    """The unit over the request's session; the route owns its transaction (`async with unit.session.begin()`)."""
    return unit_in(ctx, session)


RequestUnit = Annotated[SqlUnit, Depends(request_unit)]
