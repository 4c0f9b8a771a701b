"""Rule 18 across services (issue 17): dispute-svc cannot see credit requests waiting for approval, so disputes and a
pending credit can together ask for more than a line holds. adjustment-svc re-checks the headroom at every approval,
and a resolved dispute whose credit no longer fits is refused with the reason (AdjustmentRejected, which makes
dispute-svc reopen it) instead of being dead-lettered."""

from __future__ import annotations

from sqlalchemy import select

from adjustment_svc.adapters.tables import adjustments, approvals, invoices, memos
from adjustment_svc.entrypoints.consumer import TOPICS, make_runner
from adjustment_svc.testing import (
    ANALYST,
    DIRECTOR,
    MANAGER,
    apply_events,
    as_,
    credit_body,
    dispute_opened,
    dispute_resolved,
    invoice_issued,
)
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, INVOICES_TOPIC, AdjustmentRejected
from mediabill_common.testing.kafka import consume_until, envelope_for, flush_outbox, publish, read_topic


def _line_of_2950(invoice_id: str, **kw) -> dict:
    return invoice_issued(invoice_id, [("L1", "usage", "2950.00", None)], **kw)


async def _rows(ctx, table, column, value) -> list:
    async with ctx.sessions() as session:
        return (await session.execute(select(table).where(column == value))).all()


async def test_approving_a_credit_after_disputes_used_the_headroom_is_refused_with_the_lines(
        adjustment_ctx, adjustment_api, unique):
    inv = _line_of_2950(f"inv-{unique}")
    await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
    manual = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "1770.00")]),
                                       headers=as_(ANALYST, f"ana-{unique}"))
    assert manual.status_code == 201 and manual.json()["status"] == "pending_approval"
    # dispute-svc accepted these: it does not know of the pending 1,770.00
    d1, d2, d3 = (f"dsp-{i}-{unique}" for i in range(3))
    await apply_events(adjustment_ctx, [
        ("DisputeOpened", dispute_opened(d, inv, [("L1", amount)]), d)
        for d, amount in ((d1, "1000.00"), (d2, "1000.00"), (d3, "600.00"))])
    url = f"/v1/adjustments/{manual.json()['adjustment_id']}/approve"

    refused = await adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr-{unique}"))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("headroom-exceeded") and "line L1" in problem["detail"]
    assert problem["lines"] == [{"invoice_line_id": "L1", "requested": "1770.00", "headroom": "350.00",
                                 "line_amount": "2950.00", "credited": "0.00", "pending_credit": "0.00",
                                 "disputed": "2600.00", "currency": "USD"}]
    assert await _rows(adjustment_ctx, approvals, approvals.c.adjustment_id, manual.json()["adjustment_id"]) == []
    assert await _rows(adjustment_ctx, memos, memos.c.invoice_id, inv["invoice_id"]) == []
    still = await adjustment_api.get(url.removesuffix("/approve"), headers=as_(ANALYST, "x"))
    assert still.json()["status"] == "pending_approval"

    # once two disputes are withdrawn the credit fits again (2,950.00 - 600.00) and the same approval goes through
    await apply_events(adjustment_ctx, [("DisputeWithdrawn", {
        "dispute_id": d, "invoice_id": inv["invoice_id"], "bill_to_account_id": inv["bill_to_account_id"],
        "withdrawn_by": "adv", "withdrawn_at": "2025-04-10T10:00:00+00:00"}, d) for d in (d1, d2)])
    approved = await adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr-{unique}"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text


async def test_every_approval_rechecks_not_only_the_last(adjustment_ctx, adjustment_api, unique):
    inv = invoice_issued(f"inv-{unique}", [("L1", "usage", "40000.00", None)])
    await apply_events(adjustment_ctx, [("InvoiceIssued", inv, inv["invoice_id"])])
    big = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "30000.00")]),
                                    headers=as_(ANALYST, f"ana-{unique}"))
    assert big.json()["approval_level"] == "manager_and_director"
    await apply_events(adjustment_ctx, [("DisputeOpened", dispute_opened(f"dsp-{unique}", inv,
                                                                         [("L1", "10000.01")]), f"dsp-{unique}")])
    first = await adjustment_api.post(f"/v1/adjustments/{big.json()['adjustment_id']}/approve", json={},
                                      headers=as_(DIRECTOR, f"dir-{unique}"))
    assert first.status_code == 409 and first.json()["lines"][0]["headroom"] == "29999.99", first.text


async def test_a_resolved_dispute_whose_credit_no_longer_fits_is_refused_and_announced_not_dead_lettered(
        adjustment_ctx, adjustment_api, kafka_bootstrap, unique):
    inv = _line_of_2950(f"inv-{unique}", bill_to=f"AG-{unique}")
    key = inv["bill_to_account_id"]
    await publish(kafka_bootstrap, INVOICES_TOPIC, [(key, envelope_for("InvoiceIssued", inv,
                                                                       subject=inv["invoice_id"]))])

    async def invoice_known() -> bool:
        return bool(await _rows(adjustment_ctx, invoices, invoices.c.invoice_id, inv["invoice_id"]))

    group = f"adj-test-{unique}"
    await consume_until(adjustment_ctx, make_runner, TOPICS, invoice_known, group_id=group)
    manual = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "1770.00")]),
                                       headers=as_(ANALYST, f"ana-{unique}"))
    assert manual.json()["status"] == "pending_approval"
    d1, d2, d3 = (f"dsp-{i}-{unique}" for i in range(3))
    resolver = f"mgr-{unique}"
    await publish(kafka_bootstrap, DISPUTES_TOPIC, [
        *((key, envelope_for("DisputeOpened", dispute_opened(d, inv, [("L1", amount)]), subject=d))
          for d, amount in ((d1, "1000.00"), (d2, "1000.00"), (d3, "600.00"))),
        (key, envelope_for("DisputeResolved", dispute_resolved(d1, inv, outcome="upheld", credit="1000.00",
                                                               resolver=resolver), subject=d1))])

    async def refused() -> list:
        return await _rows(adjustment_ctx, adjustments, adjustments.c.dispute_id, d1)

    await consume_until(adjustment_ctx, make_runner, TOPICS, refused, group_id=group)
    [row] = await refused()
    assert (row.status, row.rejected_by, row.requested_by) == ("rejected", "adjustment-svc", resolver)
    assert "headroom of rule 18" in row.rejection_reason
    assert "pending credit requests 1770.00 - under open disputes 1600.00" in row.rejection_reason
    listed = await adjustment_api.get(f"/v1/adjustments?dispute_id={d1}", headers=as_(ANALYST, "x"))
    assert [(a["status"], a["total"]) for a in listed.json()["items"]] == [("rejected", "1000.00")]
    pending = await adjustment_api.get(f"/v1/adjustments/{manual.json()['adjustment_id']}", headers=as_(ANALYST, "x"))
    assert pending.json()["status"] == "pending_approval"

    await flush_outbox(adjustment_ctx)
    [(event, record)] = await read_topic(kafka_bootstrap, ADJUSTMENTS_TOPIC, lambda v, r: v and v.get(
        "type") == "AdjustmentRejected" and v["data"]["dispute_id"] == d1, count=1)
    rejected = AdjustmentRejected.model_validate(event["data"])
    assert (rejected.adjustment_id, rejected.rejected_by) == (row.adjustment_id, "adjustment-svc")
    assert rejected.reason == row.rejection_reason and record.key.decode() == key


async def test_a_dispute_credit_on_a_voided_invoice_is_refused_with_the_reason(adjustment_ctx, unique):
    inv = _line_of_2950(f"inv-{unique}")
    dispute_id = f"dsp-{unique}"
    await apply_events(adjustment_ctx, [
        ("InvoiceIssued", inv, inv["invoice_id"]),
        ("DisputeOpened", dispute_opened(dispute_id, inv, [("L1", "100.00")]), dispute_id),
        ("InvoiceVoided", {"invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
                           "bill_to_account_id": inv["bill_to_account_id"], "reason": "re-issued",
                           "voided_by": "max", "voided_at": "2025-04-05T10:00:00+00:00"}, inv["invoice_id"]),
        ("DisputeResolved", dispute_resolved(dispute_id, inv, outcome="upheld", credit="100.00",
                                             resolver=f"res-{unique}"), dispute_id)])
    [row] = await _rows(adjustment_ctx, adjustments, adjustments.c.dispute_id, dispute_id)
    assert row.status == "rejected" and "is void" in row.rejection_reason
