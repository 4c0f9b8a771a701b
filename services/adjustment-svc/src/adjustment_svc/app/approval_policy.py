"""Use case: the billing director sets the approval limits per currency (rule 22)."""

from __future__ import annotations

from adjustment_svc.app.ports import AdjustmentUnit
from adjustment_svc.domain.approval import ApprovalLimits
from mediabill_common.money import round_money


def policy_view(limits: dict[str, ApprovalLimits]) -> dict[str, dict[str, str]]:
    return {c: {"auto_approve_max": format(round_money(x.auto_approve_max, c), "f"),
                "single_approval_max": format(round_money(x.single_approval_max, c), "f")}
            for c, x in limits.items()}


async def replace_approval_policy(unit: AdjustmentUnit, limits: dict[str, ApprovalLimits], *,
                                  actor: str) -> tuple[dict[str, ApprovalLimits], int]:
    """Replace the limits of every currency (a currency left out then needs the highest level); the new version.
    The caller checks the version it was given (If-Match) against `unit.policy.current(for_update=True)` first."""
    before, _ = await unit.policy.current(for_update=True)
    new_version = await unit.policy.replace(limits, by=actor)
    await unit.record_audit(actor=actor, action="approval_policy.replaced", entity_type="approval_policy",
                            entity_id="approval-policy", before=policy_view(before), after=policy_view(limits))
    return limits, new_version
