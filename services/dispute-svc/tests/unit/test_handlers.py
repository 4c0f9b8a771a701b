"""The event handlers over in-memory fakes of the unit (tests/unit/conftest.py), dispatched through the real table:
events waiting for their invoice, credit memos settling disputes, rejected credits reopening them, config
versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dispute_svc.app.handlers import HANDLERS
from dispute_svc.domain.model import Dispute, DisputedLine
from mediabill_common.consumer import Event
from mediabill_common.money import Money
from mediabill_common.testing.kafka import envelope_for

T0 = datetime(2026, 11, 10, 12, tzinfo=UTC)


async def apply(unit, event_type: str, data: dict[str, Any]) -> Event:
    event = Event.of(envelope_for(event_type, data, subject="s"))
    await HANDLERS.dispatch(event, unit)
    return event


def _voided(inv: dict[str, Any]) -> dict[str, Any]:
    return {"invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
            "bill_to_account_id": inv["bill_to_account_id"], "reason": "duplicate", "voided_by": "mgr",
            "voided_at": "2026-11-03T10:00:00Z"}


def _balance(inv: dict[str, Any], status: str) -> dict[str, Any]:
    return {"invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
            "bill_to_account_id": inv["bill_to_account_id"], "currency": "USD", "total": inv["total"],
            "credited": "0.00", "debited": "0.00", "paid": "100.00", "balance_due": "4000.00", "overpaid": "0.00",
            "disputed_amount": "0.00", "status": status, "reason": "payment", "caused_by": "pay-1"}


def _memo(inv: dict[str, Any], memo_id: str, dispute_id: str | None = None) -> dict[str, Any]:
    return {"memo_id": memo_id, "memo_number": f"CM-{memo_id}", "adjustment_id": f"adj-{memo_id}",
            "invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
            "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": dispute_id,
            "lines": [{"invoice_line_id": inv["lines"][0]["invoice_line_id"], "kind": "usage", "amount": "200.00",
                       "description": "credit"}],
            "total": "200.00", "currency": "USD", "reason_code": "other", "requested_by": "ana",
            "approved_by": ["m"], "issued_at": "2026-11-12T10:00:00Z"}


def _rejected(inv: dict[str, Any], dispute_id: str | None) -> dict[str, Any]:
    return {"adjustment_id": "adj-1", "invoice_id": inv["invoice_id"],
            "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": dispute_id, "rejected_by": "director",
            "reason": "no evidence attached", "rejected_at": "2026-11-12T10:00:00Z"}


def _resolved(inv: dict[str, Any], outcome: str = "upheld", credit: str = "200.00") -> Dispute:
    dispute = Dispute(dispute_id="d1", invoice_id=inv["invoice_id"], invoice_number=inv["invoice_number"],
                      bill_to_account_id=inv["bill_to_account_id"], currency="USD", reason_code="rate_mismatch",
                      description="rate", opened_by="ana", opened_at=T0, assignment_due_at=T0 + timedelta(days=2),
                      resolution_due_at=T0 + timedelta(days=30),
                      lines=[DisputedLine(inv["lines"][0]["invoice_line_id"], Decimal("200.00"), "usage")])
    dispute.assign("jane", by="lead", at=T0)
    dispute.resolve(outcome, Money(Decimal(credit), "USD"), "decided", by="jane", at=T0)
    dispute.new_history.clear()
    return dispute


async def test_events_before_their_invoice_wait_for_it_and_apply_in_arrival_order_once_it_is_issued(
        unit, dispute_invoice_data):
    inv = dispute_invoice_data("u1")
    await apply(unit, "InvoiceBalanceChanged", _balance(inv, "partially_paid"))
    await apply(unit, "InvoiceVoided", _voided(inv))
    await apply(unit, "CreditMemoIssued", _memo(inv, "m1"))
    assert unit.invoices.applied == []
    assert [waiting for waiting, _ in unit.parking.parked] == [inv["invoice_id"]] * 3

    await apply(unit, "InvoiceIssued", inv)
    assert unit.invoices.applied == [("issued", inv["invoice_id"]), ("balance", inv["invoice_id"], "partially_paid"),
                                     ("void", inv["invoice_id"]), ("memo", "m1")]
    assert unit.parking.parked == []


async def test_events_about_a_known_invoice_apply_at_once_and_other_invoices_keep_waiting(unit, dispute_invoice_data):
    known, other = dispute_invoice_data("u1"), dispute_invoice_data("u2")
    await apply(unit, "InvoiceVoided", _voided(other))
    await apply(unit, "InvoiceIssued", known)
    await apply(unit, "InvoiceVoided", _voided(known))
    assert unit.invoices.applied == [("issued", known["invoice_id"]), ("void", known["invoice_id"])]
    assert [waiting for waiting, _ in unit.parking.parked] == [other["invoice_id"]]


async def test_a_memo_settling_a_resolved_dispute_settles_it_once(unit, dispute_invoice_data):
    inv = dispute_invoice_data("u1")
    await apply(unit, "InvoiceIssued", inv)
    unit.disputes.held["d1"] = _resolved(inv)

    await apply(unit, "CreditMemoIssued", _memo(inv, "m1", dispute_id="d1"))
    await apply(unit, "CreditMemoIssued", _memo(inv, "m1", dispute_id="d1"))  # redelivered: nothing more

    dispute = unit.disputes.held["d1"]
    assert dispute.credit_settled and unit.disputes.saved == ["d1"]
    assert [(a["action"], a["actor"], a["reason"]) for a in unit.audited] == [
        ("dispute.credit_issued", "adjustment-svc", "credit memo CM-m1 issued")]
    assert unit.audited[0]["before"]["credit_settled"] is False and unit.audited[0]["after"]["credit_settled"]


async def test_a_memo_for_a_dispute_not_resolved_credits_the_line_and_leaves_the_dispute(unit, dispute_invoice_data):
    inv = dispute_invoice_data("u1")
    await apply(unit, "InvoiceIssued", inv)
    open_dispute = _resolved(inv)
    open_dispute.reopen("credit rejected", by="director", at=T0)
    unit.disputes.held["d1"] = open_dispute

    await apply(unit, "CreditMemoIssued", _memo(inv, "m1", dispute_id="d1"))
    assert unit.invoices.applied[-1] == ("memo", "m1")
    assert (unit.disputes.saved, unit.audited, open_dispute.credit_settled) == ([], [], False)


@pytest.mark.parametrize(("outcome", "credit"), [("upheld", "200.00"), ("partially_upheld", "50.00")])
async def test_a_rejected_settling_credit_reopens_the_dispute_and_announces_it(unit, dispute_invoice_data, outcome,
                                                                               credit):
    inv = dispute_invoice_data("u1")
    unit.disputes.held["d1"] = _resolved(inv, outcome, credit)

    event = await apply(unit, "AdjustmentRejected", _rejected(inv, "d1"))

    dispute = unit.disputes.held["d1"]
    assert (dispute.status, dispute.outcome, dispute.credit_amount) == ("in_review", None, None)
    reason = "credit request adj-1 was rejected by director: no evidence attached"
    assert [(a["action"], a["actor"], a["reason"]) for a in unit.audited] == [("dispute.reopened", "director", reason)]
    [published] = unit.published
    assert (published["type"], published["key"], published["subject"], published["causationid"]) == (
        "DisputeReopened", inv["bill_to_account_id"], "d1", event.id)
    assert published["data"].reason == reason and published["data"].reopened_at == datetime(2026, 11, 12, 10,
                                                                                             tzinfo=UTC)


async def test_a_rejection_reopens_nothing_without_a_settling_credit_pending(unit, dispute_invoice_data):
    inv = dispute_invoice_data("u1")
    rejected = _resolved(inv, "rejected", "0")
    settled = _resolved(inv)
    settled.dispute_id = "d2"
    settled.credit_settled = True
    unit.disputes.held.update({"d1": rejected, "d2": settled})

    for dispute_id in ("d1", "d2", "unknown", None):
        await apply(unit, "AdjustmentRejected", _rejected(inv, dispute_id))

    assert (unit.disputes.saved, unit.audited, unit.published) == ([], [], [])
    assert (rejected.status, settled.status) == ("resolved", "resolved")


async def test_config_states_keep_the_newest_state_version_whatever_the_arrival_order(unit):
    def contract(version: int, po: str) -> dict[str, Any]:
        return {"state_version": version, "contract": {
            "contract_id": "IO-1", "advertiser_account_id": "adv", "bill_to_account_id": "agy", "currency": "USD",
            "flight_start": "2026-01-01", "flight_end": "2026-12-31", "po_number": po}}

    await apply(unit, "ContractAmended", contract(2, "PO-2"))
    await apply(unit, "ContractCreated", contract(1, "PO-1"))
    await apply(unit, "BillingAccountUpserted", {"state_version": 4, "account": {
        "account_id": "acc-1", "type": "advertiser", "legal_name": "Acme", "currency": "USD"}})

    version, state = unit.config.states[("contract", "IO-1")]
    assert (version, state["po_number"]) == (2, "PO-2")
    assert unit.config.states[("account", "acc-1")][0] == 4


def test_the_table_consumes_the_topics_of_the_events_it_handles():
    assert HANDLERS.topics() == ["billing.config.v1", "billing.invoices.v1", "billing.adjustments.v1"]
