"""Use case: the billing director sets the approval limits per currency (rule 22)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.app.repositories import Repositories
from adjustment_svc.domain.approval import ApprovalLimits
from mediabill_common.money import round_money
from mediabill_common.service import ServiceContext
from mediabill_common.web.etag import check_if_match


def policy_view(limits: dict[str, ApprovalLimits]) -> dict[str, dict[str, str]]:
    return {c: {"auto_approve_max": format(round_money(x.auto_approve_max, c), "f"),
                "single_approval_max": format(round_money(x.single_approval_max, c), "f")}
            for c, x in limits.items()}


async def replace_approval_policy(session: AsyncSession, ctx: ServiceContext, limits: dict[str, ApprovalLimits],
                                  *, actor: str, if_match: str | None) -> tuple[dict[str, ApprovalLimits], int]:
    """Replace the limits of every currency (a currency left out then needs the highest level)."""
    repos = Repositories.on(session)
    before, version = await repos.policy.current(for_update=True)
    check_if_match(if_match, version)
    new_version = await repos.policy.replace(limits, by=actor)
    await ctx.audit.record(session, actor=actor, action="approval_policy.replaced", entity_type="approval_policy",
                           entity_id="approval-policy", before=policy_view(before), after=policy_view(limits))
    return limits, new_version
