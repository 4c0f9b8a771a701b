"""Dependencies of invoice-svc's routers: the typed context and the unit of one change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from invoice_svc.adapters.unit import SqlUnit
from invoice_svc.context import InvoiceContext
from mediabill_common.web.deps import Session, get_ctx

InvoiceCtx = Annotated[InvoiceContext, Depends(get_ctx)]


async def request_unit(ctx: InvoiceCtx, session: Session) -> SqlUnit:
    """The unit over the request's session; the route owns its transaction (`async with unit.session.begin()`)."""
    return ctx.deps.units.over(session)


RequestUnit = Annotated[SqlUnit, Depends(request_unit)]
