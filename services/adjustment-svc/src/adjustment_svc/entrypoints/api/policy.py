"""`/v1/approval-policy`: approval limits per currency (rule 22)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from adjustment_svc.adapters.policy_repository import PolicyRepository
from adjustment_svc.app.approval_policy import policy_view, replace_approval_policy
from adjustment_svc.domain.approval import ApprovalLimits
from adjustment_svc.entrypoints.api.deps import AdjustmentCtx, RequestUnit
from adjustment_svc.entrypoints.api.schemas import ApprovalPolicyIn, ApprovalPolicyOut
from mediabill_common.auth.principal import Principal
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import check_if_match, set_etag
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/v1/approval-policy", tags=["approval policy"])
Director = Annotated[Principal, Depends(require_roles("billing-director"))]


@router.get("", response_model=ApprovalPolicyOut,
            summary="Limits per currency; a currency not listed needs a manager and a director",
            description="The limits apply to each request, to everything requested on its invoice and to everything "
                        "requested for its bill-to account in a period (pending and approved; the period is the "
                        "deployment's APPROVAL_ACCOUNT_WINDOW setting): a request needs the highest level any of "
                        "the three reaches, and says which one in its `approval_basis`.")
async def get_policy(ctx: AdjustmentCtx, session: Session, _principal: CurrentPrincipal,
                     response: Response) -> ApprovalPolicyOut:
    async with session.begin():
        limits, version = await PolicyRepository(session, ctx.settings.approval_account_window).current()
    set_etag(response, version)
    return ApprovalPolicyOut(policy_view(limits))


@router.put("", response_model=ApprovalPolicyOut,
            summary="Replace the limits of every currency (billing-director)",
            responses={412: {"description": "If-Match names an older version of the policy"}})
async def put_policy(body: ApprovalPolicyIn, unit: RequestUnit, principal: Director, response: Response,
                     if_match: Annotated[str | None, Header(description="ETag of the policy as read")] = None) \
        -> ApprovalPolicyOut:
    limits = {c: ApprovalLimits(x.auto_approve_max, x.single_approval_max) for c, x in body.root.items()}
    async with unit.session.begin():
        _, current = await unit.policy.current(for_update=True)
        check_if_match(if_match, current)
        limits, version = await replace_approval_policy(unit, limits, actor=principal.sub)
    set_etag(response, version)
    return ApprovalPolicyOut(policy_view(limits))
