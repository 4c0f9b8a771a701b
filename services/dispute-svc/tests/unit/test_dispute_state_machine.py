"""The dispute state machine (rules 19-20), pure."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dispute_svc.domain.errors import ApprovalRequired, InvalidRequest, RuleBreach
from dispute_svc.domain.model import (
    Attachment,
    Dispute,
    DisputedLine,
    amounts_held,
    check_credit_authority,
    check_resolution,
)
from mediabill_common.money import CurrencyMismatch, Money

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def usd(amount: str | int) -> Money:
    return Money(Decimal(amount), "USD")


def a_dispute(status: str = "open", **kw) -> Dispute:
    d = Dispute(dispute_id="d1", invoice_id="i1", invoice_number="INV-2026-00000001", bill_to_account_id="acc",
                currency="USD", reason_code="rate_mismatch", description="rate", opened_by="ana", opened_at=T0,
                assignment_due_at=T0 + timedelta(days=2), resolution_due_at=T0 + timedelta(days=30),
                lines=[DisputedLine("l1", Decimal("100.00"), "usage"), DisputedLine("l2", Decimal("50.00"), "usage")],
                **kw)
    d.status = status
    return d


def test_assignment_moves_open_dispute_into_review_and_records_history():
    d = a_dispute()
    d.assign("jane", by="lead", at=T0 + timedelta(hours=1))
    assert (d.status, d.assignee, d.assigned_at) == ("in_review", "jane", T0 + timedelta(hours=1))
    assert [(h.action, h.actor) for h in d.new_history] == [("assigned", "lead")]


def test_reassignment_in_review_keeps_first_assignment_time():
    d = a_dispute()
    d.assign("jane", by="lead", at=T0 + timedelta(hours=1))
    d.assign("joe", by="lead", at=T0 + timedelta(hours=5))
    assert (d.status, d.assignee, d.assigned_at) == ("in_review", "joe", T0 + timedelta(hours=1))
    assert d.new_history[-1].action == "reassigned"
    assert d.new_history[-1].details["previous_assignee"] == "jane"


@pytest.mark.parametrize("status", ["resolved", "withdrawn"])
def test_closed_dispute_cannot_be_assigned(status):
    with pytest.raises(RuleBreach, match=f"is {status}; it cannot be assigned"):
        a_dispute(status).assign("jane", by="lead", at=T0)


def test_blank_assignee_is_invalid():
    with pytest.raises(InvalidRequest):
        a_dispute().assign("  ", by="lead", at=T0)


def test_open_dispute_cannot_be_resolved_before_review():
    with pytest.raises(RuleBreach, match="allowed only when in_review"):
        a_dispute().resolve("rejected", usd(0), "no", by="ana", at=T0)


@pytest.mark.parametrize("status", ["open", "in_review"])
def test_active_dispute_can_be_withdrawn(status):
    d = a_dispute(status)
    d.withdraw(by="ana", at=T0 + timedelta(days=1), note="advertiser agreed")
    assert (d.status, d.closed_at) == ("withdrawn", T0 + timedelta(days=1))
    assert d.new_history[-1].note == "advertiser agreed"


@pytest.mark.parametrize("status", ["resolved", "withdrawn"])
def test_closed_dispute_cannot_be_withdrawn(status):
    with pytest.raises(RuleBreach):
        a_dispute(status).withdraw(by="ana", at=T0)


def test_resolution_records_outcome_credit_note_resolver_and_root_cause():
    d = a_dispute("in_review")
    d.resolve("partially_upheld", usd("60.00"), "three days over-counted", by="mgr", at=T0 + timedelta(days=3),
              root_cause="delivery_data")
    assert (d.status, d.outcome, d.credit_amount, d.resolved_by, d.root_cause) == (
        "resolved", "partially_upheld", Decimal("60.00"), "mgr", "delivery_data")
    assert d.new_history[-1].details == {"outcome": "partially_upheld", "credit_amount": "60.00",
                                         "root_cause": "delivery_data"}
    d.reopen("credit request adj-1 rejected", by="dir", at=T0 + timedelta(days=4))
    assert d.root_cause is None and d.new_history[-1].details["previous"]["root_cause"] == "delivery_data"


def test_resolved_dispute_cannot_be_resolved_again():
    d = a_dispute("in_review")
    d.resolve("rejected", usd(0), "delivery confirmed", by="ana", at=T0)
    with pytest.raises(RuleBreach):
        d.resolve("upheld", usd("150.00"), "changed mind", by="ana", at=T0)


@pytest.mark.parametrize(("outcome", "credit", "message"), [
    ("upheld", "100.00", "credits the whole disputed amount"),
    ("partially_upheld", "0", "more than 0 and less than"),
    ("partially_upheld", "150.00", "more than 0 and less than"),
    ("rejected", "1.00", "credits nothing"),
    ("won", "0", "outcome must be one of"),
    ("upheld", "150.001", "minor-unit digits"),
    ("rejected", "-1", "non-negative"),
])
def test_credit_must_fit_the_outcome(outcome, credit, message):
    with pytest.raises(InvalidRequest, match=message):
        check_resolution(outcome, usd(credit), "note", usd("150.00"))


def test_resolution_note_is_required():
    with pytest.raises(InvalidRequest, match="resolution_note is required"):
        check_resolution("rejected", usd(0), "   ", usd("150.00"))


@pytest.mark.parametrize(("outcome", "credit"), [("upheld", "150.00"), ("partially_upheld", "0.01"),
                                                  ("partially_upheld", "149.99"), ("rejected", "0")])
def test_credits_that_fit_the_outcome_are_accepted(outcome, credit):
    check_resolution(outcome, usd(credit), "note", usd("150.00"))


def test_credit_above_auto_approval_limit_needs_a_manager():
    with pytest.raises(ApprovalRequired, match=r"above the auto-approval limit of 250\.00 USD"):
        check_credit_authority(usd("250.01"), usd("250.00"), is_manager=False)
    check_credit_authority(usd("250.01"), usd("250.00"), is_manager=True)
    check_credit_authority(usd("250.00"), usd("250.00"), is_manager=False)


@pytest.mark.parametrize("outcome", ["upheld", "partially_upheld"])
def test_rejected_credit_reopens_upheld_dispute_into_review(outcome):
    d = a_dispute("in_review")
    d.resolve(outcome, usd("150.00") if outcome == "upheld" else usd("10.00"), "ok", by="a", at=T0)
    d.reopen("credit request adj-1 rejected", by="dir", at=T0 + timedelta(days=1))
    assert (d.status, d.outcome, d.credit_amount, d.closed_at) == ("in_review", None, None, None)
    assert d.new_history[-1].action == "reopened"
    assert d.new_history[-1].details["previous"]["outcome"] == outcome


@pytest.mark.parametrize("status", ["open", "in_review", "withdrawn"])
def test_only_resolved_disputes_reopen(status):
    with pytest.raises(RuleBreach):
        a_dispute(status).reopen("x", by="dir", at=T0)


def test_rejected_dispute_does_not_reopen():
    d = a_dispute("in_review")
    d.resolve("rejected", usd(0), "no", by="a", at=T0)
    with pytest.raises(RuleBreach, match="only an upheld or partially upheld"):
        d.reopen("x", by="dir", at=T0)


def test_comment_with_attachment_is_kept_in_history_in_any_state():
    d = a_dispute("withdrawn")
    d.comment("", by="ana", at=T0, attachments=(Attachment("https://f/x.pdf", "x.pdf", "a" * 64),))
    assert d.new_history[-1].details["attachments"][0]["name"] == "x.pdf"
    with pytest.raises(InvalidRequest):
        d.comment("  ", by="ana", at=T0)


def test_every_change_bumps_the_version():
    d = a_dispute()
    d.assign("jane", by="lead", at=T0)
    d.comment("looking", by="jane", at=T0)
    assert d.version == 3


def test_active_dispute_holds_every_disputed_amount():
    assert amounts_held(a_dispute("in_review")) == {"l1": Decimal("100.00"), "l2": Decimal("50.00")}


def test_partially_upheld_dispute_holds_its_credit_in_line_order_until_the_memo():
    d = a_dispute("in_review")
    d.resolve("partially_upheld", usd("120.00"), "part", by="a", at=T0)
    assert amounts_held(d) == {"l1": Decimal("100.00"), "l2": Decimal("20.00")}
    d.settle_credit(at=T0, memo_number="CM-2026-00000001")
    assert amounts_held(d) == {}


@pytest.mark.parametrize("status", ["withdrawn"])
def test_withdrawn_and_rejected_disputes_hold_nothing(status):
    assert amounts_held(a_dispute(status)) == {}
    d = a_dispute("in_review")
    d.resolve("rejected", usd(0), "no", by="a", at=T0)
    assert amounts_held(d) == {}


def test_a_credit_in_another_currency_than_the_dispute_is_refused():
    d = a_dispute("in_review")
    with pytest.raises(CurrencyMismatch):
        d.resolve("upheld", Money(Decimal("150.00"), "EUR"), "wrong currency", by="ana", at=T0)
    assert (d.status, d.credit_amount) == ("in_review", None)
    with pytest.raises(CurrencyMismatch):
        check_credit_authority(Money(Decimal("1.00"), "EUR"), usd("250.00"), is_manager=False)
