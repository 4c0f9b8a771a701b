"""Dependencies of dispute-svc's routers: the typed context and the unit of one change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header

from dispute_svc.adapters.clock import FixedClock
from dispute_svc.adapters.unit import SqlUnit
from dispute_svc.app.ports import Clock
from dispute_svc.context import DisputeContext
from dispute_svc.entrypoints.consumer import unit_in
from mediabill_common.web.deps import Session, get_ctx
from mediabill_common.web.problems import Unprocessable

DEMO_TIME_HEADER = "Mediabill-Demo-Time"

DisputeCtx = Annotated[DisputeContext, Depends(get_ctx)]


async def request_unit(ctx: DisputeCtx, session: Session) -> SqlUnit:
    """The unit over the request's session; the route owns its transaction (`async with unit.session.begin()`)."""
    return unit_in(ctx, session)


RequestUnit = Annotated[SqlUnit, Depends(request_unit)]


async def request_clock(ctx: DisputeCtx, demo_time: Annotated[str | None, Header(
        alias=DEMO_TIME_HEADER, description="Demo and test stacks only (DEMO_CLOCK): when this change happens, "
                                            "RFC 3339 with offset. Refused (422) where the demo clock is off.")] = None,
                        ) -> Clock:
    """The clock of one request: the service's (the system clock in production), or on a demo stack the time
    the request names, so that a demo can open, assign and resolve disputes hours and days apart."""
    if demo_time is None:
        return ctx.deps.clock
    problem = [{"field": DEMO_TIME_HEADER, "in": "header", "message": ""}]
    if not ctx.settings.demo_clock:
        raise Unprocessable(f"{DEMO_TIME_HEADER} is honoured only on a demo or test stack (DEMO_CLOCK); this one "
                            "records the time it receives a change",
                            errors=[problem[0] | {"message": "not accepted here"}])
    try:
        at = datetime.fromisoformat(demo_time)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise Unprocessable(f"{DEMO_TIME_HEADER} must be an RFC 3339 timestamp with its offset",
                            errors=[problem[0] | {"message": "e.g. 2026-12-08T14:30:00+00:00"}])
    return FixedClock(at)


RequestClock = Annotated[Clock, Depends(request_clock)]
