"""Rule 22: who must approve an adjustment, and whether a given person may give the next approval.

People are told apart by `same_person` (the token's `sub`, normalised: docs/operations.md), never by the exact
spelling of a `sub`, so one person cannot be maker and checker, or give both approvals, under two spellings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from adjustment_svc.domain.errors import ApprovalRefused, DuplicateApproval, MissingReason, NotPending
from mediabill_common.auth.principal import same_person

POLICY_APPROVER = "policy"
MANAGER = "billing-manager"
DIRECTOR = "billing-director"


class ApprovalLevel(StrEnum):
    POLICY = "policy"                              # approved by policy, recorded as such
    MANAGER = "manager"                            # one billing-manager
    MANAGER_AND_DIRECTOR = "manager_and_director"  # a billing-manager and a billing-director, two people


@dataclass(frozen=True)
class ApprovalLimits:
    """Per-currency limits: at or under `auto_approve_max` by policy, up to `single_approval_max` one manager."""

    auto_approve_max: Decimal
    single_approval_max: Decimal


DEFAULT_LIMITS: dict[str, ApprovalLimits] = {
    c: ApprovalLimits(Decimal("250.00"), Decimal("25000.00")) for c in ("USD", "EUR", "GBP")
}


@dataclass(frozen=True)
class Approval:
    approver: str
    roles: frozenset[str]


def required_level(total: Decimal, limits: ApprovalLimits | None) -> ApprovalLevel:
    """The approval a memo of `total` needs; a currency without limits needs the highest level."""
    if limits is None:
        return ApprovalLevel.MANAGER_AND_DIRECTOR
    if total <= limits.auto_approve_max:
        return ApprovalLevel.POLICY
    if total <= limits.single_approval_max:
        return ApprovalLevel.MANAGER
    return ApprovalLevel.MANAGER_AND_DIRECTOR


def approvals_still_needed(level: ApprovalLevel, given: list[Approval]) -> list[str]:
    """The roles whose approval is still missing, e.g. ["billing-director"]; [] when fully approved."""
    if level is ApprovalLevel.POLICY:
        return []
    if level is ApprovalLevel.MANAGER:
        return [] if any(MANAGER in a.roles for a in given) else [MANAGER]
    if len(given) >= 2 and any(DIRECTOR in a.roles for a in given):
        return []
    if not given:
        return [MANAGER, DIRECTOR]
    # One approval so far: a director's leaves a manager-level slot, a manager's leaves the director's.
    return [MANAGER] if any(DIRECTOR in a.roles for a in given) else [DIRECTOR]


def check_may_approve(*, level: ApprovalLevel, status: str, requested_by: str, given: list[Approval],
                      approver: Approval) -> None:
    """Raise unless `approver` may give the next approval of a pending request."""
    if status != "pending_approval":
        raise NotPending(f"the request is {status}; only a pending_approval request can be approved")
    if same_person(approver.approver, requested_by):
        raise ApprovalRefused(f"{approver.approver} requested this adjustment and cannot approve it "
                              "(maker and checker must be different people)")
    if any(same_person(a.approver, approver.approver) for a in given):
        raise DuplicateApproval(f"{approver.approver} already approved this request; the second approval must "
                                "come from a different person")
    needed = approvals_still_needed(level, given)
    if not any(role in approver.roles for role in needed):
        raise ApprovalRefused(f"this request still needs an approval from: {', '.join(needed)}; "
                              f"{approver.approver} holds none of these roles")


def may_approve(*, level: ApprovalLevel, status: str, requested_by: str, given: list[Approval],
                approver: Approval) -> bool:
    """Whether `approver` may give the next approval (what an approvals inbox lists): check_may_approve passes."""
    try:
        check_may_approve(level=level, status=status, requested_by=requested_by, given=given, approver=approver)
    except (NotPending, ApprovalRefused, DuplicateApproval):
        return False
    return True


def check_may_reject(*, status: str, requested_by: str, rejector: str, reason: str | None) -> None:
    """Raise unless `rejector` may reject a pending request; a rejection needs a reason."""
    if status != "pending_approval":
        raise NotPending(f"the request is {status}; only a pending_approval request can be rejected")
    if same_person(rejector, requested_by):
        raise ApprovalRefused(f"{rejector} requested this adjustment and cannot decide on it "
                              "(maker and checker must be different people)")
    if not reason or not reason.strip():
        raise MissingReason("a rejection needs a reason: say why the adjustment is refused")
