"""`/v1/approval-policy`: approval limits per currency (rule 22)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from adjustment_svc.app.approval_policy import policy_view, replace_approval_policy
from adjustment_svc.app.repositories import Repositories
from adjustment_svc.domain.approval import ApprovalLimits
from adjustment_svc.entrypoints.api.schemas import ApprovalPolicyIn, ApprovalPolicyOut
from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import Ctx, Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/v1/approval-policy", tags=["approval policy"])
Director = Annotated[Principal, Depends(require_roles("billing-director"))]


@router.get("", response_model=ApprovalPolicyOut,
            summary="Limits per currency; a currency not listed needs a manager and a director")
async def get_policy(session: Session, _principal: CurrentPrincipal, response: Response) -> ApprovalPolicyOut:
    async with session.begin():
        limits, version = await Repositories.on(session).policy.current()
    set_etag(response, version)
    return ApprovalPolicyOut(policy_view(limits))


@router.put("", response_model=ApprovalPolicyOut,
            summary="Replace the limits of every currency (billing-director)",
            responses={412: {"description": "If-Match names an older version of the policy"}})
async def put_policy(body: ApprovalPolicyIn, ctx: Ctx, session: Session, principal: Director,
                     response: Response,
                     if_match: Annotated[str | None, Header(description="ETag of the policy as read")] = None) \
        -> ApprovalPolicyOut:
    limits = {c: ApprovalLimits(x.auto_approve_max, x.single_approval_max) for c, x in body.root.items()}
    async with session.begin():
        limits, version = await replace_approval_policy(session, ctx, limits, actor=principal.sub,
                                                        if_match=if_match)
    set_etag(response, version)
    return ApprovalPolicyOut(policy_view(limits))
