"""Assign, comment, withdraw, resolve over HTTP: transitions, roles, limits, If-Match, events and audit."""

from __future__ import annotations

from datetime import timedelta

from mediabill_common.events.catalog import DisputeResolved, DisputeWithdrawn
from mediabill_common.testing.kafka import flush_outbox, read_topic


async def _opened(env, unique, amounts=None):
    inv = await env.seed_invoice(unique)
    resp = await env.open(inv, amounts or {f"{unique}-u1": "300.00"})
    assert resp.status_code == 201, resp.text
    return inv, resp.json()["dispute_id"]


async def test_assignment_moves_to_review_and_history_tells_who_when_what(dispute_env, unique):
    _, did = await _opened(dispute_env, unique)
    dispute_env.clock.at += timedelta(hours=3)
    assigned = await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"}, sub="lead")
    assert assigned.status_code == 200
    assert (assigned.json()["status"], assigned.json()["assignee"]) == ("in_review", "jane")
    assert assigned.json()["sla"]["assignment_overdue"] is False
    comment = await dispute_env.post(f"/v1/disputes/{did}/comments", {
        "note": "raw logs requested", "attachments": [
            {"url": "https://files.example.com/logs.csv", "name": "logs.csv", "sha256": "0f" * 32}]}, sub="jane")
    assert comment.status_code == 201
    got = await dispute_env.get(f"/v1/disputes/{did}")
    assert got.headers["etag"] == 'W/"3"'
    history = got.json()["history"]
    assert [(h["action"], h["actor"]) for h in history] == [("opened", "ana"), ("assigned", "lead"),
                                                            ("commented", "jane")]
    assert history[1]["at"] == "2026-11-10T15:00:00Z" and history[1]["details"]["assignee"] == "jane"
    assert history[2]["note"] == "raw logs requested"
    assert history[2]["details"]["attachments"][0]["sha256"] == "0f" * 32


async def test_illegal_transitions_are_409(dispute_env, unique):
    _, did = await _opened(dispute_env, unique)
    early = await dispute_env.post(f"/v1/disputes/{did}/resolve", {
        "outcome": "rejected", "credit_amount": "0", "resolution_note": "n"})
    assert early.status_code == 409 and "allowed only when in_review" in early.json()["detail"]
    await dispute_env.post(f"/v1/disputes/{did}/withdraw")
    again = await dispute_env.post(f"/v1/disputes/{did}/withdraw")
    assert again.status_code == 409 and "is withdrawn" in again.json()["detail"]
    assign = await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    assert assign.status_code == 409


async def test_unknown_dispute_is_404(dispute_env, unique):
    assert (await dispute_env.get(f"/v1/disputes/nope-{unique}")).status_code == 404
    assert (await dispute_env.post(f"/v1/disputes/nope-{unique}/assign", {"assignee": "x"})).status_code == 404
    assert (await dispute_env.get(f"/v1/disputes/nope-{unique}/evidence")).status_code == 404


async def test_partially_upheld_resolution_is_recorded_and_announced(dispute_env, unique, kafka_bootstrap):
    inv, did = await _opened(dispute_env, unique)
    await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    decision = {"outcome": "partially_upheld", "credit_amount": "120.00",
                "resolution_note": "third-party counts confirm 40% of the claim"}
    for cause in ("measurement", "system_resolved"):  # outside the shared list, or the system's own
        refused = await dispute_env.post(f"/v1/disputes/{did}/resolve", decision | {"root_cause": cause}, sub="jane")
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
        assert (await dispute_env.get(f"/v1/disputes/{did}")).json()["status"] == "in_review"
    resolved = await dispute_env.post(f"/v1/disputes/{did}/resolve",
                                      decision | {"root_cause": "third_party_discrepancy"}, sub="jane")
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["status"], body["outcome"], body["credit_amount"], body["resolved_by"], body["root_cause"]) == (
        "resolved", "partially_upheld", "120.00", "jane", "third_party_discrepancy")
    assert (await dispute_env.get(f"/v1/disputes/{did}")).json()["root_cause"] == "third_party_discrepancy"
    await flush_outbox(dispute_env.ctx)
    [(value, record)] = await read_topic(
        kafka_bootstrap, "billing.disputes.v1",
        lambda v, r: bool(v) and v["type"] == "DisputeResolved" and v["data"]["dispute_id"] == did, count=1)
    event = DisputeResolved.model_validate(value["data"])
    assert (event.outcome, value["data"]["credit_amount"], event.resolved_by) == ("partially_upheld", "120.00",
                                                                                 "jane")
    assert event.root_cause == "third_party_discrepancy"
    assert record.key.decode() == inv["bill_to_account_id"]
    audit = await dispute_env.get("/v1/audit", entity_type="dispute", entity_id=did)
    assert [e["action"] for e in audit.json()["items"]] == ["dispute.resolved", "dispute.assigned",
                                                            "dispute.opened"]
    assert audit.json()["items"][0]["before"]["status"] == "in_review"


async def test_credit_must_fit_the_outcome(dispute_env, unique):
    _, did = await _opened(dispute_env, unique)
    await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    cases = [({"outcome": "upheld", "credit_amount": "100.00", "resolution_note": "n"}, "whole disputed amount"),
             ({"outcome": "partially_upheld", "credit_amount": "300.00", "resolution_note": "n"}, "less than"),
             ({"outcome": "rejected", "credit_amount": "5.00", "resolution_note": "n"}, "credits nothing"),
             ({"outcome": "rejected", "credit_amount": "0", "resolution_note": ""}, "resolution_note is required"),
             ({"outcome": "maybe", "credit_amount": "0", "resolution_note": "n"}, "outcome must be one of")]
    for body, message in cases:
        resp = await dispute_env.post(f"/v1/disputes/{did}/resolve", body)
        assert resp.status_code == 422 and message in resp.json()["detail"], (body, resp.text)
    assert (await dispute_env.get(f"/v1/disputes/{did}")).json()["status"] == "in_review"


async def test_credit_above_auto_approval_limit_needs_a_billing_manager(dispute_env, unique):
    _, did = await _opened(dispute_env, unique)
    await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    upheld = {"outcome": "upheld", "credit_amount": "300.00", "resolution_note": "rate was 5.00 not 6.00"}
    by_analyst = await dispute_env.post(f"/v1/disputes/{did}/resolve", upheld, sub="jane")
    assert by_analyst.status_code == 403
    assert "above the auto-approval limit of 250.00 USD" in by_analyst.json()["detail"]
    assert (await dispute_env.get(f"/v1/disputes/{did}")).json()["status"] == "in_review"
    by_auditor = await dispute_env.post(f"/v1/disputes/{did}/resolve", upheld, roles="auditor")
    assert by_auditor.status_code == 403
    by_manager = await dispute_env.post(f"/v1/disputes/{did}/resolve", upheld, roles="billing-manager", sub="max")
    assert by_manager.status_code == 200 and by_manager.json()["resolved_by"] == "max"


async def test_stale_if_match_is_412_and_current_one_passes(dispute_env, unique):
    _, did = await _opened(dispute_env, unique)
    stale = await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"},
                                   headers={"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    ok = await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"}, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"2"'


async def test_withdrawal_is_announced(dispute_env, unique, kafka_bootstrap):
    _, did = await _opened(dispute_env, unique)
    resp = await dispute_env.post(f"/v1/disputes/{did}/withdraw", {"note": "advertiser agreed"}, sub="ana")
    assert resp.status_code == 200 and resp.json()["closed_at"] == "2026-11-10T12:00:00Z"
    await flush_outbox(dispute_env.ctx)
    [(value, _)] = await read_topic(
        kafka_bootstrap, "billing.disputes.v1",
        lambda v, r: bool(v) and v["type"] == "DisputeWithdrawn" and v["data"]["dispute_id"] == did, count=1)
    assert DisputeWithdrawn.model_validate(value["data"]).withdrawn_by == "ana"


async def test_issued_credit_memo_turns_the_dispute_hold_into_a_credit(dispute_env, unique):
    inv, did = await _opened(dispute_env, unique, {f"{unique}-u1": "200.00"})
    await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    await dispute_env.post(f"/v1/disputes/{did}/resolve", {
        "outcome": "upheld", "credit_amount": "200.00", "resolution_note": "rate was wrong"})
    memo = {"memo_id": f"m-{unique}", "memo_number": f"CM-2026-{unique[:8]}", "adjustment_id": f"adj-{unique}",
            "invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
            "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": did,
            "lines": [{"invoice_line_id": f"{unique}-u1", "kind": "usage", "amount": "200.00", "description": "c"}],
            "total": "200.00", "currency": "USD", "reason_code": "rate_mismatch", "requested_by": "jane",
            "approved_by": ["policy"], "issued_at": "2026-11-11T09:00:00Z"}
    await dispute_env.apply("CreditMemoIssued", memo)
    await dispute_env.apply("CreditMemoIssued", memo)  # a replay credits nothing more
    body = (await dispute_env.get(f"/v1/disputes/{did}")).json()
    assert body["credit_settled"] is True and body["history"][-1]["action"] == "credit_issued"
    # 3000.00 - credited 200.00 - held 0.00: the hold became the credit, not both.
    assert "headroom of 2800.00 USD" in (await dispute_env.open(inv, {f"{unique}-u1": "2800.01"})).json()["detail"]
    await dispute_env.apply("AdjustmentRejected", {
        "adjustment_id": f"adj2-{unique}", "invoice_id": inv["invoice_id"],
        "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": did, "rejected_by": "dir",
        "reason": "late duplicate", "rejected_at": "2026-11-12T09:00:00Z"})
    assert (await dispute_env.get(f"/v1/disputes/{did}")).json()["status"] == "resolved"
