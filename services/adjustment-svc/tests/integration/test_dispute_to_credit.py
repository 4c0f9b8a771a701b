"""A resolved dispute becomes a credit request: real topics, the real consumer, the real database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from adjustment_svc.adapters.tables import adjustments, disputes
from adjustment_svc.entrypoints.consumer import TOPICS, make_runner
from adjustment_svc.testing import (
    ANALYST,
    MANAGER,
    apply_events,
    as_,
    big_invoice,
    dispute_opened,
    dispute_resolved,
    worked_example,
)
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC, MemoIssued
from mediabill_common.testing.kafka import consume_until, envelope_for, flush_outbox, publish, read_topic


async def _requests_for(ctx, dispute_ids: list[str]) -> list:
    async with ctx.sessions() as session:
        rows = await session.execute(select(adjustments).where(adjustments.c.dispute_id.in_(dispute_ids)))
        return rows.all()


async def test_resolved_disputes_become_credit_requests_and_memos_on_the_real_topics(
        adjustment_ctx, adjustment_api, kafka_bootstrap, unique):
    inv = big_invoice(f"inv-{unique}", bill_to=f"AG-{unique}")
    partial, small = f"dsp-p-{unique}", f"dsp-s-{unique}"
    resolver = f"resolver-{unique}"
    key = inv["bill_to_account_id"]
    issued = envelope_for("InvoiceIssued", inv, subject=inv["invoice_id"])
    await publish(kafka_bootstrap, INVOICES_TOPIC, [(key, issued)])
    await publish(kafka_bootstrap, DISPUTES_TOPIC, [
        (key, envelope_for("DisputeOpened", dispute_opened(partial, inv, [("L1", "3000.00"), ("L2", "1000.00")],
                                                           reason_code="delivery_discrepancy"), subject=partial)),
        (key, envelope_for("DisputeOpened", dispute_opened(small, inv, [("L2", "120.00")]), subject=small)),
        (key, envelope_for("DisputeResolved", dispute_resolved(partial, inv, outcome="partially_upheld",
                                                               credit="1000.00", resolver=resolver,
                                                               root_cause="third_party_discrepancy"),
                           subject=partial)),
        (key, envelope_for("DisputeResolved", dispute_resolved(small, inv, outcome="upheld", credit="120.00",
                                                               resolver=resolver), subject=small)),
    ])

    async def both_requested() -> bool:
        return len(await _requests_for(adjustment_ctx, [partial, small])) == 2

    await consume_until(adjustment_ctx, make_runner, TOPICS, both_requested, group_id=f"adj-test-{unique}")
    rows = {r.dispute_id: r for r in await _requests_for(adjustment_ctx, [partial, small])}
    # 120.00 alone is under the auto-approval limit, but with the 1000.00 requested before it on the invoice (pending)
    # the invoice's credits come to 1120.00: a manager approves it too (rule 22 on cumulative amounts).
    assert rows[small].status == "pending_approval" and rows[small].requested_by == resolver
    assert rows[small].approval_basis["basis"] == "invoice_cumulative"
    assert rows[small].approval_basis["invoice_cumulative"] == "1120.00"
    small_approved = await adjustment_api.post(f"/v1/adjustments/{rows[small].adjustment_id}/approve", json={},
                                               headers=as_(MANAGER, f"mgr-{unique}"))
    assert small_approved.status_code == 200 and small_approved.json()["status"] == "approved"
    pending = (await adjustment_api.get(f"/v1/adjustments/{rows[partial].adjustment_id}",
                                        headers=as_(ANALYST, "x"))).json()
    assert pending["status"] == "pending_approval" and pending["reason_code"] == "delivery_discrepancy"
    assert pending["requested_by"] == resolver and pending["total"] == "1000.00"
    assert pending["root_cause"] == "third_party_discrepancy"  # the dispute's cause, inherited
    # 1000 credited pro rata over 3000 + 1000 disputed: 750.00 and 250.00.
    assert [(x["invoice_line_id"], x["amount"]) for x in pending["lines"]] == [("L1", "750.00"), ("L2", "250.00")]
    refused = await adjustment_api.post(f"/v1/adjustments/{pending['adjustment_id']}/approve", json={},
                                        headers=as_(MANAGER, resolver))
    assert refused.status_code == 403
    approved = await adjustment_api.post(f"/v1/adjustments/{pending['adjustment_id']}/approve", json={},
                                         headers=as_(MANAGER, f"mgr-{unique}"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    await flush_outbox(adjustment_ctx)
    found = await read_topic(kafka_bootstrap, ADJUSTMENTS_TOPIC, lambda v, r: v and v.get(
        "type") == "CreditMemoIssued" and v["data"]["dispute_id"] in (partial, small), count=2)
    memos = {m.dispute_id: m for m in (MemoIssued.model_validate(v["data"]) for v, _ in found)}
    assert memos[partial].adjustment_id == pending["adjustment_id"]
    assert str(memos[partial].total) == "1000.00" and memos[partial].approved_by == [f"mgr-{unique}"]
    assert memos[partial].requested_by == resolver and memos[partial].reason_code == "delivery_discrepancy"
    assert memos[partial].invoice_number == inv["invoice_number"]
    assert (memos[partial].root_cause, memos[small].root_cause) == ("third_party_discrepancy", None)
    assert memos[small].approved_by == [f"mgr-{unique}"] and str(memos[small].total) == "120.00"
    assert all(record.key.decode() == key for _, record in found)


async def test_dispute_events_before_their_invoice_are_parked_and_applied_when_it_arrives(
        adjustment_ctx, adjustment_api, unique):
    inv = worked_example(f"inv-{unique}")
    dispute_id = f"dsp-{unique}"
    await apply_events(adjustment_ctx, [
        ("DisputeOpened", dispute_opened(dispute_id, inv, [("L1", "200.00")]), dispute_id),
        ("DisputeResolved", dispute_resolved(dispute_id, inv, outcome="upheld", credit="200.00",
                                             resolver=f"res-{unique}"), dispute_id),
    ])
    assert await _requests_for(adjustment_ctx, [dispute_id]) == []
    await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
    [row] = await _requests_for(adjustment_ctx, [dispute_id])
    assert row.status == "approved" and row.total == Decimal("161.50")  # 200 less its discount and commission share
    async with adjustment_ctx.sessions() as session:
        status = (await session.execute(select(disputes.c.status).where(disputes.c.dispute_id == dispute_id)))
        assert status.scalar_one() == "resolved"


async def test_a_redelivered_resolution_creates_no_second_request(adjustment_ctx, unique):
    inv = big_invoice(f"inv-{unique}")
    dispute_id = f"dsp-{unique}"
    resolved = dispute_resolved(dispute_id, inv, outcome="upheld", credit="500.00", resolver=f"res-{unique}")
    await apply_events(adjustment_ctx, [
        ("InvoiceIssued", inv, inv["invoice_id"]),
        ("DisputeOpened", dispute_opened(dispute_id, inv, [("L1", "500.00")]), dispute_id),
        ("DisputeResolved", resolved, dispute_id),
        ("DisputeResolved", resolved, dispute_id),  # a fresh envelope id: the inbox would not catch it
    ])
    assert len(await _requests_for(adjustment_ctx, [dispute_id])) == 1


async def test_a_rejected_dispute_credit_lets_the_reopened_dispute_hold_and_resolve_again(
        adjustment_ctx, adjustment_api, unique):
    inv = big_invoice(f"inv-{unique}")
    dispute_id = f"dsp-{unique}"
    resolve = ("DisputeResolved", dispute_resolved(dispute_id, inv, outcome="upheld", credit="900.00",
                                                   resolver=f"res-{unique}"), dispute_id)
    await apply_events(adjustment_ctx, [
        ("InvoiceIssued", inv, inv["invoice_id"]),
        ("DisputeOpened", dispute_opened(dispute_id, inv, [("L2", "900.00")]), dispute_id), resolve])
    [first] = await _requests_for(adjustment_ctx, [dispute_id])
    rejected = await adjustment_api.post(f"/v1/adjustments/{first.adjustment_id}/reject",
                                         json={"reason": "evidence does not support it"},
                                         headers=as_(MANAGER, f"mgr-{unique}"))
    assert rejected.status_code == 200
    await apply_events(adjustment_ctx, [("DisputeReopened", {
        "dispute_id": dispute_id, "invoice_id": inv["invoice_id"], "bill_to_account_id": inv["bill_to_account_id"],
        "reason": "credit rejected", "reopened_at": "2025-04-20T10:00:00+00:00"}, dispute_id)])
    held = await adjustment_api.post("/v1/adjustments", json={
        "invoice_id": inv["invoice_id"], "kind": "credit", "reason_code": "other", "note": "goodwill",
        "lines": [{"invoice_line_id": "L2", "amount": "100.01", "description": ""}]},
        headers=as_(ANALYST, f"ana-{unique}"))
    assert held.status_code == 409 and "headroom is 100.00 USD" in held.json()["detail"]
    await apply_events(adjustment_ctx, [resolve])
    statuses = sorted(r.status for r in await _requests_for(adjustment_ctx, [dispute_id]))
    assert statuses == ["pending_approval", "rejected"]
