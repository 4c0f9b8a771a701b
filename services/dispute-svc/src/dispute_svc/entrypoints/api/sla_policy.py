"""`GET/PUT /v1/sla-policy`: assignment and resolution targets, per reason code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from dispute_svc.app.policy import replace_sla_policy, sla_policy_with_version
from dispute_svc.domain.sla import SlaPolicy, SlaTarget
from dispute_svc.entrypoints.api.common import expected_version
from dispute_svc.entrypoints.api.deps import RequestUnit
from dispute_svc.entrypoints.api.schemas import SlaPolicyIn, SlaPolicyOut
from mediabill_common.auth.principal import Principal
from mediabill_common.web.etag import set_etag
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/v1/sla-policy", tags=["sla"])
Manager = Annotated[Principal, Depends(require_roles("billing-manager"))]


@router.get("", response_model=SlaPolicyOut, summary="The SLA policy in force (rule 19 defaults until changed)")
async def get_policy(unit: RequestUnit, _principal: CurrentPrincipal, response: Response) -> SlaPolicyOut:
    async with unit.session.begin():
        document, version = await sla_policy_with_version(unit.sla_policy)
    set_etag(response, version)
    return SlaPolicyOut(**document, version=version)


@router.put("", response_model=SlaPolicyOut, summary="Replace the SLA policy (applies to disputes opened from now)")
async def put_policy(body: SlaPolicyIn, unit: RequestUnit, principal: Manager, response: Response,
                     if_match: Annotated[str | None, Header()] = None) -> SlaPolicyOut:
    def target(t) -> SlaTarget:
        return SlaTarget(t.assignment_business_days, t.resolution_calendar_days)

    policy = SlaPolicy(target(body.default), {code: target(t) for code, t in body.by_reason_code.items()})
    async with unit.session.begin():
        document, version = await replace_sla_policy(unit, policy, actor=principal.sub,
                                                     expected_version=expected_version(if_match),
                                                     reason=body.reason)
    set_etag(response, version)
    return SlaPolicyOut(**document, version=version)
