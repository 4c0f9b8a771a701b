"""The event handlers through the real HANDLERS table, over in-memory fakes of the ports: events that overtake what
they refer to wait for it and are applied in order, a resolved dispute becomes a credit request or, when its credit
no longer fits, a refusal that makes dispute-svc reopen it (rule 18, 20)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from adjustment_svc.app.handlers import HANDLERS
from adjustment_svc.app.handlers.waiting_for import dispute_key, invoice_key
from adjustment_svc.app.refuse_dispute_credit import REFUSED_BY
from adjustment_svc.app.request_adjustment import RequestAdjustment, request_adjustment
from adjustment_svc.domain.memo_lines import RequestedLine
from adjustment_svc.testing import big_invoice, dispute_opened, dispute_resolved, invoice_issued, worked_example
from adjustment_svc.testing.fakes import FakeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import CONFIG_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC, AdjustmentRejected, MemoIssued
from mediabill_common.money import Money
from mediabill_common.testing.kafka import envelope_for

NOW = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


async def apply(unit: FakeUnit, event_type: str, data: dict, subject: str) -> None:
    await HANDLERS.dispatch(Event.of(envelope_for(event_type, data, subject=subject)), unit)


def parked_keys(unit: FakeUnit) -> list[str]:
    return [key for key, _ in unit.parking.parked]


def voided(inv: dict) -> dict:
    return {"invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
            "bill_to_account_id": inv["bill_to_account_id"], "reason": "issued to the wrong account",
            "voided_by": "billing-director", "voided_at": "2025-04-05T10:00:00+00:00"}


def test_the_table_consumes_invoices_disputes_and_account_config():
    assert HANDLERS.topics() == [CONFIG_TOPIC, INVOICES_TOPIC, DISPUTES_TOPIC]


async def test_dispute_events_that_overtake_their_invoice_wait_for_it_and_apply_in_order():
    unit, inv = FakeUnit(), worked_example("inv-1")
    await apply(unit, "DisputeOpened", dispute_opened("d-1", inv, [("L1", "200.00")]), "d-1")
    await apply(unit, "DisputeResolved", dispute_resolved("d-1", inv, outcome="upheld", credit="200.00",
                                                          resolver="res"), "d-1")
    assert parked_keys(unit) == [invoice_key("inv-1"), invoice_key("inv-1")]
    assert unit.invoices.disputes == {} and unit.adjustments.requests == {}

    await apply(unit, "InvoiceIssued", inv, "inv-1")

    assert unit.parking.parked == []
    assert unit.invoices.disputes["d-1"].status == "resolved"
    [request] = unit.adjustments.requests.values()
    # 200.00 less its share of the discount and commission, under the auto-approval limit: a memo at once
    assert (request.dispute_id, request.status, request.total) == ("d-1", "approved", Money(Decimal("161.50"), "USD"))
    [memo] = unit.received("CreditMemoIssued")
    assert isinstance(memo, MemoIssued) and memo.dispute_id == "d-1" and memo.approved_by == ["policy"]


async def test_a_resolution_that_overtakes_its_opening_waits_for_the_dispute():
    unit, inv = FakeUnit(), big_invoice("inv-2")
    await apply(unit, "InvoiceIssued", inv, "inv-2")
    resolved = dispute_resolved("d-2", inv, outcome="upheld", credit="1000.00", resolver="res")
    await apply(unit, "DisputeResolved", resolved, "d-2")
    assert parked_keys(unit) == [dispute_key("d-2")]

    await apply(unit, "DisputeOpened", dispute_opened("d-2", inv, [("L1", "1000.00")]), "d-2")

    assert unit.parking.parked == []
    [request] = unit.adjustments.requests.values()
    assert (request.status, request.total, request.requested_by) == (
        "pending_approval", Money(Decimal("1000.00"), "USD"), "res")


async def test_a_void_that_overtakes_its_invoice_closes_it_when_it_arrives():
    unit, inv = FakeUnit(), big_invoice("inv-3")
    await apply(unit, "InvoiceVoided", voided(inv), "inv-3")
    assert parked_keys(unit) == [invoice_key("inv-3")]
    await apply(unit, "InvoiceIssued", inv, "inv-3")
    assert unit.invoices.invoices["inv-3"].status == "void" and unit.parking.parked == []


async def test_a_resolved_dispute_whose_credit_no_longer_fits_is_refused_and_not_raised():
    unit, inv = FakeUnit(), invoice_issued("inv-4", [("L1", "usage", "2950.00", None)])
    await apply(unit, "InvoiceIssued", inv, "inv-4")
    await request_adjustment(unit, RequestAdjustment(
        invoice_id="inv-4", kind="credit", lines=[RequestedLine("L1", Decimal("1770.00"), "")],
        reason_code="other", note="goodwill", requested_by="ana"), NOW)
    for dispute_id, amount in (("d-a", "1000.00"), ("d-b", "1000.00"), ("d-c", "600.00")):
        await apply(unit, "DisputeOpened", dispute_opened(dispute_id, inv, [("L1", amount)]), dispute_id)

    await apply(unit, "DisputeResolved", dispute_resolved("d-a", inv, outcome="upheld", credit="1000.00",
                                                          resolver="res"), "d-a")

    refused = [a for a in unit.adjustments.requests.values() if a.dispute_id == "d-a"]
    assert [(a.status, a.rejected_by) for a in refused] == [("rejected", REFUSED_BY)]
    [rejected] = unit.received("AdjustmentRejected")
    assert isinstance(rejected, AdjustmentRejected) and rejected.dispute_id == "d-a"
    assert "headroom" in rejected.reason and "line L1" in rejected.reason
    assert unit.received("CreditMemoIssued") == [] and unit.memos.issued == []
    assert unit.invoices.disputes["d-a"].status == "resolved"


async def test_a_rejected_outcome_releases_the_hold_and_requests_no_credit():
    unit, inv = FakeUnit(), big_invoice("inv-5")
    await apply(unit, "InvoiceIssued", inv, "inv-5")
    await apply(unit, "DisputeOpened", dispute_opened("d-5", inv, [("L1", "500.00")]), "d-5")
    await apply(unit, "DisputeResolved", dispute_resolved("d-5", inv, outcome="rejected", credit="0.00",
                                                          resolver="res"), "d-5")
    assert unit.invoices.disputes["d-5"].status == "resolved"
    assert unit.adjustments.requests == {} and unit.published == []


async def test_a_second_resolution_while_a_credit_request_is_live_requests_nothing_more():
    unit, inv = FakeUnit(), big_invoice("inv-6")
    resolved = dispute_resolved("d-6", inv, outcome="upheld", credit="900.00", resolver="res")
    await apply(unit, "InvoiceIssued", inv, "inv-6")
    await apply(unit, "DisputeOpened", dispute_opened("d-6", inv, [("L2", "900.00")]), "d-6")
    await apply(unit, "DisputeResolved", resolved, "d-6")
    await apply(unit, "DisputeResolved", resolved, "d-6")
    assert [a.status for a in unit.adjustments.requests.values()] == ["pending_approval"]


async def test_a_reopened_dispute_holds_its_amounts_again():
    unit, inv = FakeUnit(), big_invoice("inv-7")
    await apply(unit, "InvoiceIssued", inv, "inv-7")
    await apply(unit, "DisputeOpened", dispute_opened("d-7", inv, [("L2", "900.00")]), "d-7")
    await apply(unit, "DisputeWithdrawn", {"dispute_id": "d-7", "invoice_id": "inv-7", "bill_to_account_id": "AG-1",
                                           "withdrawn_by": "adv", "withdrawn_at": "2025-04-10T10:00:00+00:00"}, "d-7")
    invoice = unit.invoices.invoices["inv-7"]
    assert (await unit.invoices.exposures(invoice, excluding_dispute=None))["L2"].disputed == Money.zero("USD")
    await apply(unit, "DisputeReopened", {"dispute_id": "d-7", "invoice_id": "inv-7", "bill_to_account_id": "AG-1",
                                          "reason": "credit rejected", "reopened_at": "2025-04-20T10:00:00+00:00"},
                "d-7")
    held = (await unit.invoices.exposures(invoice, excluding_dispute=None))["L2"].disputed
    assert held == Money(Decimal("900.00"), "USD")
