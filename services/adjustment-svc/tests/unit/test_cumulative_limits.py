"""Rule 22 on cumulative amounts: the level a request needs given what was requested alongside it (pure), and the
use case on the in-memory unit (splitting across lines, requests and invoices; pending counted, rejected not)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjustment_svc.app.decide_adjustment import reject_adjustment
from adjustment_svc.app.request_adjustment import RequestAdjustment, request_adjustment
from adjustment_svc.domain.approval import DEFAULT_LIMITS, ApprovalLevel, required_level
from adjustment_svc.domain.approval_basis import AccountWindow, Basis, RequestedBefore, approval_basis
from adjustment_svc.domain.memo_lines import RequestedLine
from adjustment_svc.testing import big_invoice
from adjustment_svc.testing.fakes import FakeUnit
from mediabill_common.events.catalog import InvoiceIssued

USD = DEFAULT_LIMITS["USD"]  # auto-approval 250.00, single approval 25,000.00
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def before(on_invoice: str = "0", for_account: str = "0") -> RequestedBefore:
    return RequestedBefore(D(on_invoice), D(for_account), "AG-1", AccountWindow.REQUEST_MONTH, "2026-12")


def test_a_request_alone_within_the_limit_is_approved_by_policy_and_says_so():
    basis = approval_basis(D("226.10"), before(), USD)
    assert (basis.level, basis.basis, basis.limit) == (ApprovalLevel.POLICY, Basis.REQUEST, D("250.00"))
    assert basis.explanation("credit", "USD", "INV-1").startswith("approved by policy: this request (226.10)")


def test_a_second_split_credit_on_the_invoice_needs_the_manager_the_whole_would_need():
    basis = approval_basis(D("226.10"), before(on_invoice="226.10", for_account="226.10"), USD)
    assert basis.level is required_level(D("452.20"), USD) is ApprovalLevel.MANAGER
    assert (basis.basis, basis.figure, basis.limit) == (Basis.INVOICE_CUMULATIVE, D("452.20"), D("250.00"))
    assert basis.explanation("credit", "USD", "INV-1") == (
        "a manager must approve: the credits requested on invoice INV-1 come to 452.20 USD with this one (pending "
        "and approved), over the auto-approval limit of 250.00 USD")


def test_splitting_across_the_accounts_invoices_is_caught_by_the_account_figure():
    basis = approval_basis(D("200.00"), before(on_invoice="0", for_account="200.00"), USD)
    assert (basis.level, basis.basis, basis.figure) == (ApprovalLevel.MANAGER, Basis.ACCOUNT_PERIOD_CUMULATIVE,
                                                        D("400.00"))
    assert "for bill-to AG-1 (requests made in 2026-12) come to 400.00 USD" in basis.explanation("credit", "USD", "I")


def test_the_cumulative_past_the_single_approval_limit_needs_a_director_too():
    basis = approval_basis(D("100.00"), before(on_invoice="24950.00", for_account="24950.00"), USD)
    assert (basis.level, basis.limit) == (ApprovalLevel.MANAGER_AND_DIRECTOR, D("25000.00"))
    assert "single-approval limit of 25000.00 USD" in basis.explanation("credit", "USD", "INV-1")


def test_a_request_over_the_limit_on_its_own_is_judged_on_itself():
    basis = approval_basis(D("300.00"), before(on_invoice="100.00", for_account="100.00"), USD)
    assert (basis.level, basis.basis) == (ApprovalLevel.MANAGER, Basis.REQUEST)


def test_a_currency_without_limits_still_needs_the_highest_level():
    basis = approval_basis(D("1.00"), before(), None)
    assert (basis.level, basis.basis) == (ApprovalLevel.MANAGER_AND_DIRECTOR, Basis.NO_LIMITS)


@given(parts=st.lists(st.integers(min_value=1, max_value=3_000_000), min_size=1, max_size=12))
def test_splitting_never_needs_a_lower_level_than_the_whole(parts):
    amounts = [D(p) / 100 for p in parts]
    so_far, levels = D(0), []
    for amount in amounts:
        levels.append(approval_basis(amount, before(on_invoice=str(so_far), for_account=str(so_far)), USD).level)
        so_far += amount
    assert levels[-1] is required_level(sum(amounts), USD)


@pytest.mark.parametrize(("window", "period"), [(AccountWindow.REQUEST_MONTH, "2026-12"),
                                                (AccountWindow.INVOICE_PERIOD, "2025-03")])
def test_the_account_window_names_the_period_summed(window, period):
    assert window.period_of(NOW, "2025-03") == period


# ---- the use case on the in-memory unit ---------------------------------------------------------------------------

async def _issued(unit: FakeUnit, invoice_id: str, **kw) -> str:
    await unit.invoices.record_issued(InvoiceIssued.model_validate(big_invoice(invoice_id, **kw)))
    return invoice_id


async def _credit(unit: FakeUnit, invoice_id: str, lines: list[tuple[str, str]], now: datetime = NOW):
    cmd = RequestAdjustment(invoice_id=invoice_id, kind="credit", reason_code="invalid_traffic", note="IVT",
                            requested_by="ana", lines=[RequestedLine(lid, D(a), "credit") for lid, a in lines])
    return await request_adjustment(unit, cmd, now)


async def test_credits_split_across_lines_and_requests_of_one_invoice_are_summed():
    unit = FakeUnit()
    inv = await _issued(unit, "inv-1")
    both_lines = await _credit(unit, inv, [("L1", "150.00"), ("L2", "100.00")])
    assert both_lines.approval_level is ApprovalLevel.POLICY  # 250.00: at the limit
    next_one = await _credit(unit, inv, [("L2", "0.01")])
    assert next_one.approval_level is ApprovalLevel.MANAGER and next_one.memo_id is None
    assert next_one.approval_basis is not None and next_one.approval_basis["invoice_cumulative"] == "250.01"


async def test_credits_split_across_invoices_of_one_account_are_summed_only_in_the_window():
    unit = FakeUnit()
    first = await _issued(unit, "inv-a", bill_to="AG-7")
    second = await _issued(unit, "inv-b", bill_to="AG-7")
    other = await _issued(unit, "inv-c", bill_to="AG-8")
    older = await _issued(unit, "inv-o", bill_to="AG-7")
    await _credit(unit, older, [("L1", "200.00")], now=NOW - timedelta(days=40))  # requested in October
    assert (await _credit(unit, other, [("L1", "200.00")])).approval_level is ApprovalLevel.POLICY
    assert (await _credit(unit, first, [("L1", "200.00")])).approval_level is ApprovalLevel.POLICY
    split = await _credit(unit, second, [("L1", "60.00")])
    assert split.approval_level is ApprovalLevel.MANAGER
    assert split.approval_basis is not None
    assert (split.approval_basis["basis"], split.approval_basis["account_cumulative"]) == \
        ("account_period_cumulative", "260.00")


async def test_the_invoice_period_window_sums_the_accounts_requests_by_billing_period():
    unit = FakeUnit()
    unit.policy.account_window = AccountWindow.INVOICE_PERIOD
    march = await _issued(unit, "inv-m", bill_to="AG-7", period="2025-03")
    april = await _issued(unit, "inv-a", bill_to="AG-7", period="2025-04")
    march_2 = await _issued(unit, "inv-m2", bill_to="AG-7", period="2025-03")
    await _credit(unit, march, [("L1", "200.00")])
    assert (await _credit(unit, april, [("L1", "200.00")])).approval_level is ApprovalLevel.POLICY
    second_march = await _credit(unit, march_2, [("L1", "200.00")])
    assert second_march.approval_level is ApprovalLevel.MANAGER
    assert second_march.approval_basis is not None and second_march.approval_basis["account_period"] == "2025-03"


async def test_pending_requests_count_and_rejected_ones_no_longer_do():
    unit = FakeUnit()
    inv = await _issued(unit, "inv-1")
    pending = await _credit(unit, inv, [("L1", "1000.00")])
    assert (await _credit(unit, inv, [("L1", "5.00")])).approval_level is ApprovalLevel.MANAGER
    await reject_adjustment(unit, pending.adjustment_id, rejector="mgr", reason="no", now=NOW)
    small = await _credit(unit, inv, [("L1", "5.00")])
    assert small.approval_basis is not None and small.approval_basis["invoice_cumulative"] == "10.00"
    assert small.approval_level is ApprovalLevel.POLICY
    audited = [e for e in unit.audited if e["action"] == "adjustment.requested"][-1]
    assert audited["after"]["approval_basis"] == dict(small.approval_basis)
