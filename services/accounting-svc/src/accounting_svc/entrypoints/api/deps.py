"""Dependencies of accounting-svc's routers: the typed context and the unit of one change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from accounting_svc.adapters.unit import SqlUnit
from accounting_svc.context import AccountingContext
from accounting_svc.entrypoints.consumer import unit_in
from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import Session, get_ctx
from mediabill_common.web.security import require_roles

AccountingCtx = Annotated[AccountingContext, Depends(get_ctx)]
Director = Annotated[Principal, Depends(require_roles("billing-director"))]


async def request_unit(ctx: AccountingCtx, session: Session) -> SqlUnit:
    """The unit over the request's session; the route owns its transaction (`async with unit.session.begin()`)."""
    return unit_in(ctx, session)


RequestUnit = Annotated[SqlUnit, Depends(request_unit)]
