"""`/v1/chart-of-accounts`: the account each posting role uses (close.md C8)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Response

from accounting_svc.adapters.calendar_repository import ChartRepository
from accounting_svc.app.chart import replace_chart
from accounting_svc.domain.chart import ChartOfAccounts
from accounting_svc.entrypoints.api.deps import Director, RequestUnit
from accounting_svc.entrypoints.api.schemas import ChartOfAccountsBody
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import check_if_match, set_etag
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/chart-of-accounts", tags=["chart of accounts"])


def _body(chart: ChartOfAccounts) -> ChartOfAccountsBody:
    return ChartOfAccountsBody(**dataclasses.asdict(chart))


@router.get("", response_model=ChartOfAccountsBody, summary="The account of each posting role")
async def get_chart(session: Session, _principal: CurrentPrincipal, response: Response) -> ChartOfAccountsBody:
    async with session.begin():
        chart, version = await ChartRepository(session).current()
    set_etag(response, version)
    return _body(chart)


@router.put("", response_model=ChartOfAccountsBody, summary="Replace the mapping (billing-director)",
            responses={412: {"description": "If-Match names an older version of the mapping"}})
async def put_chart(body: ChartOfAccountsBody, unit: RequestUnit, principal: Director, response: Response,
                    if_match: Annotated[str | None, Header(description="ETag of the mapping as read")] = None) \
        -> ChartOfAccountsBody:
    chart = ChartOfAccounts(**body.model_dump())
    async with unit.session.begin():
        _, current = await unit.chart.current(for_update=True)
        check_if_match(if_match, current)
        version = await replace_chart(unit, chart, actor=principal.sub)
    set_etag(response, version)
    return _body(chart)
