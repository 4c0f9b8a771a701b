"""Rule 22: approval levels, who may approve, and what is still needed."""

from decimal import Decimal as D

import pytest

from adjustment_svc.domain.approval import (
    DEFAULT_LIMITS,
    Approval,
    ApprovalLevel,
    approvals_still_needed,
    check_may_approve,
    check_may_reject,
    required_level,
)
from adjustment_svc.domain.errors import ApprovalRefused, DuplicateApproval, MissingReason, NotPending

MANAGER = frozenset({"billing-manager", "billing-analyst"})
DIRECTOR = frozenset({"billing-director", "billing-manager", "billing-analyst"})


@pytest.mark.parametrize(("total", "level"), [
    ("0.01", ApprovalLevel.POLICY), ("250.00", ApprovalLevel.POLICY), ("250.01", ApprovalLevel.MANAGER),
    ("25000.00", ApprovalLevel.MANAGER), ("25000.01", ApprovalLevel.MANAGER_AND_DIRECTOR),
])
def test_level_follows_the_default_limits_inclusive_at_each_boundary(total, level):
    assert required_level(D(total), DEFAULT_LIMITS["USD"]) is level


def test_a_currency_without_limits_needs_the_highest_level():
    assert required_level(D("1.00"), None) is ApprovalLevel.MANAGER_AND_DIRECTOR


def test_one_manager_completes_a_single_approval_request():
    assert approvals_still_needed(ApprovalLevel.MANAGER, []) == ["billing-manager"]
    assert approvals_still_needed(ApprovalLevel.MANAGER, [Approval("m", MANAGER)]) == []


def test_dual_approval_needs_a_manager_and_a_director_in_either_order():
    level = ApprovalLevel.MANAGER_AND_DIRECTOR
    assert approvals_still_needed(level, []) == ["billing-manager", "billing-director"]
    assert approvals_still_needed(level, [Approval("m", MANAGER)]) == ["billing-director"]
    assert approvals_still_needed(level, [Approval("d", DIRECTOR)]) == ["billing-manager"]
    assert approvals_still_needed(level, [Approval("d", DIRECTOR), Approval("m", MANAGER)]) == []
    assert approvals_still_needed(level, [Approval("d1", DIRECTOR), Approval("d2", DIRECTOR)]) == []


def _check(approver, given=(), level=ApprovalLevel.MANAGER_AND_DIRECTOR, status="pending_approval"):
    check_may_approve(level=level, status=status, requested_by="ana", given=list(given), approver=approver)


def test_the_requester_never_approves_their_own_request():
    with pytest.raises(ApprovalRefused, match="ana requested this adjustment"):
        _check(Approval("ana", DIRECTOR))


def test_the_same_person_cannot_give_both_approvals():
    with pytest.raises(DuplicateApproval, match="different person"):
        _check(Approval("dora", DIRECTOR), given=[Approval("dora", DIRECTOR)])


def test_a_second_manager_cannot_stand_in_for_the_director():
    with pytest.raises(ApprovalRefused, match="billing-director"):
        _check(Approval("max", MANAGER), given=[Approval("mia", MANAGER)])


def test_a_decided_request_takes_no_more_approvals():
    with pytest.raises(NotPending, match="approved"):
        _check(Approval("mia", MANAGER), status="approved")


def test_a_rejection_needs_a_reason_and_another_person():
    with pytest.raises(MissingReason):
        check_may_reject(status="pending_approval", requested_by="ana", rejector="mia", reason="  ")
    with pytest.raises(ApprovalRefused):
        check_may_reject(status="pending_approval", requested_by="ana", rejector="ana", reason="oops")
    check_may_reject(status="pending_approval", requested_by="ana", rejector="mia", reason="no evidence")


def test_the_requester_under_another_spelling_of_their_sub_is_still_the_requester():
    for alias in ("ANA", " ana ", "ａｎａ", "a\u200bna"):
        with pytest.raises(ApprovalRefused, match="requested this adjustment"):
            _check(Approval(alias, DIRECTOR))
        with pytest.raises(ApprovalRefused):
            check_may_reject(status="pending_approval", requested_by="ana", rejector=alias, reason="no")


def test_one_checker_under_two_spellings_cannot_give_both_approvals():
    with pytest.raises(DuplicateApproval, match="different person"):
        _check(Approval("DORA", MANAGER), given=[Approval("dora", DIRECTOR)])
