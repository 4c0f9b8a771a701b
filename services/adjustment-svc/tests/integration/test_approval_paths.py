"""Every approval path of rule 22 through the API and the real database; memos on the real topic."""

from __future__ import annotations

import asyncio

from adjustment_svc.testing import (
    ANALYST,
    DIRECTOR,
    MANAGER,
    apply_events,
    as_,
    big_invoice,
    credit_body,
    worked_example,
)
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, AdjustmentRejected, MemoIssued
from mediabill_common.testing.kafka import flush_outbox, read_topic


async def _invoice(ctx, data):
    await apply_events(ctx, [("InvoiceIssued", data, data["invoice_id"])])
    return data


async def _request(api, body, sub):
    response = await api.post("/v1/adjustments", json=body, headers=as_(ANALYST, sub))
    assert response.status_code == 201, response.text
    return response.json()


async def test_small_credit_is_approved_by_policy_and_issues_the_memo_at_once(adjustment_ctx, adjustment_api,
                                                                               kafka_bootstrap, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    body = credit_body(inv["invoice_id"], [("L1", "200.00")])
    for cause in ("fraud", "system_resolved"):  # outside the shared list, or the system's own: nothing written
        refused = await adjustment_api.post("/v1/adjustments", json=body | {"root_cause": cause},
                                            headers=as_(ANALYST, f"ana-{unique}"))
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem")
    listed = await adjustment_api.get("/v1/adjustments", params={"invoice_id": inv["invoice_id"]},
                                      headers=as_(ANALYST, "x"))
    assert listed.json()["items"] == []
    adj = await _request(adjustment_api, body | {"root_cause": "invalid_traffic"}, f"ana-{unique}")
    assert adj["status"] == "approved" and adj["approval_level"] == "policy"
    assert adj["root_cause"] == "invalid_traffic"
    assert [a["approver"] for a in adj["approvals_given"]] == ["policy"]
    assert adj["approvals_still_needed"] == [] and adj["total"] == "161.50"
    memo = (await adjustment_api.get(f"/v1/memos/{adj['memo_id']}", headers=as_("auditor", "aud"))).json()
    assert memo["memo_number"].startswith("CM-") and memo["approved_by"] == ["policy"]
    assert {(x["invoice_line_id"], x["amount"]) for x in memo["lines"]} == {
        ("L1", "200.00"), ("D", "-10.00"), ("C", "-28.50")}
    await flush_outbox(adjustment_ctx)
    [(event, record)] = await read_topic(kafka_bootstrap, ADJUSTMENTS_TOPIC, lambda v, r: v and v.get(
        "type") == "CreditMemoIssued" and v["data"]["adjustment_id"] == adj["adjustment_id"], count=1)
    payload = MemoIssued.model_validate(event["data"])
    assert record.key.decode() == inv["bill_to_account_id"]
    assert str(payload.total) == "161.50" and payload.approved_by == ["policy"]
    assert payload.root_cause == "invalid_traffic"
    assert {x.kind for x in payload.lines} == {"usage", "discount", "agency_commission"}


async def test_one_manager_approval_issues_a_mid_size_credit(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "1000.00")]), f"ana-{unique}")
    assert adj["status"] == "pending_approval" and adj["approvals_still_needed"] == ["billing-manager"]
    url = f"/v1/adjustments/{adj['adjustment_id']}/approve"
    bad_cause = await adjustment_api.post(url, json={"root_cause": "bad"}, headers=as_(MANAGER, f"mgr-{unique}"))
    assert bad_cause.status_code == 422
    approved = await adjustment_api.post(url, json={"root_cause": "config_rate_card"},
                                         headers=as_(MANAGER, f"mgr-{unique}"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["memo_id"]
    assert approved.json()["root_cause"] == "config_rate_card"  # the checker's cause
    memo = (await adjustment_api.get(f"/v1/memos/{approved.json()['memo_id']}", headers=as_(ANALYST, "x"))).json()
    assert memo["approved_by"] == [f"mgr-{unique}"] and memo["total"] == "1000.00"


async def test_a_large_credit_needs_a_manager_and_then_a_director(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "30000.00")]), f"ana-{unique}")
    assert adj["approvals_still_needed"] == ["billing-manager", "billing-director"]
    url = f"/v1/adjustments/{adj['adjustment_id']}/approve"
    first = await adjustment_api.post(url, json={"comment": "checked"}, headers=as_(MANAGER, f"mgr-{unique}"))
    assert first.json()["status"] == "pending_approval"
    assert first.json()["approvals_still_needed"] == ["billing-director"]
    other_manager = await adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr2-{unique}"))
    assert other_manager.status_code == 403 and "billing-director" in other_manager.json()["detail"]
    final = await adjustment_api.post(url, json={}, headers=as_(DIRECTOR, f"dir-{unique}"))
    assert final.status_code == 200 and final.json()["status"] == "approved"
    memo = (await adjustment_api.get(f"/v1/memos/{final.json()['memo_id']}", headers=as_(ANALYST, "x"))).json()
    assert memo["approved_by"] == [f"mgr-{unique}", f"dir-{unique}"]


async def test_the_requester_cannot_approve_their_own_request(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    maker = f"mgr-{unique}"
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "500.00")]), maker)
    response = await adjustment_api.post(f"/v1/adjustments/{adj['adjustment_id']}/approve", json={},
                                         headers=as_(MANAGER, maker))
    assert response.status_code == 403
    assert "cannot approve" in response.json()["detail"]


async def test_the_same_person_cannot_give_both_approvals(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "26000.00")]), f"ana-{unique}")
    url = f"/v1/adjustments/{adj['adjustment_id']}/approve"
    assert (await adjustment_api.post(url, json={}, headers=as_(DIRECTOR, f"dir-{unique}"))).status_code == 200
    again = await adjustment_api.post(url, json={}, headers=as_(DIRECTOR, f"dir-{unique}"))
    assert again.status_code == 409 and "different person" in again.json()["detail"]
    state = (await adjustment_api.get(f"/v1/adjustments/{adj['adjustment_id']}", headers=as_(ANALYST, "x"))).json()
    assert state["status"] == "pending_approval" and state["approvals_still_needed"] == ["billing-manager"]


async def test_a_rejection_needs_a_reason_and_publishes_adjustment_rejected(adjustment_ctx, adjustment_api,
                                                                            kafka_bootstrap, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "700.00")]), f"ana-{unique}")
    url = f"/v1/adjustments/{adj['adjustment_id']}/reject"
    no_reason = await adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr-{unique}"))
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    rejected = await adjustment_api.post(url, json={"reason": "no evidence attached", "root_cause": "no_error"},
                                         headers=as_(MANAGER, f"mgr-{unique}"))
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "no evidence attached"
    assert rejected.json()["root_cause"] == "no_error"
    late = await adjustment_api.post(f"/v1/adjustments/{adj['adjustment_id']}/approve", json={},
                                     headers=as_(MANAGER, f"mgr2-{unique}"))
    assert late.status_code == 409
    await flush_outbox(adjustment_ctx)
    [(event, _)] = await read_topic(kafka_bootstrap, ADJUSTMENTS_TOPIC, lambda v, r: v and v.get(
        "type") == "AdjustmentRejected" and v["data"]["adjustment_id"] == adj["adjustment_id"], count=1)
    assert AdjustmentRejected.model_validate(event["data"]).rejected_by == f"mgr-{unique}"
    assert event["data"]["root_cause"] == "no_error"


async def test_two_approvals_racing_for_the_last_slot_issue_one_memo(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "5000.00")]), f"ana-{unique}")
    url = f"/v1/adjustments/{adj['adjustment_id']}/approve"
    first, second = await asyncio.gather(
        adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr-a-{unique}")),
        adjustment_api.post(url, json={}, headers=as_(MANAGER, f"mgr-b-{unique}")))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    memos = (await adjustment_api.get(f"/v1/memos?invoice_id={inv['invoice_id']}", headers=as_(ANALYST, "x")))
    assert len(memos.json()["items"]) == 1
    winner = first if first.status_code == 200 else second
    assert memos.json()["items"][0]["memo_id"] == winner.json()["memo_id"]


async def test_a_currency_without_limits_needs_a_manager_and_a_director(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}", currency="SEK"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "10.00")]), f"ana-{unique}")
    assert adj["approval_level"] == "manager_and_director"
    assert adj["approvals_still_needed"] == ["billing-manager", "billing-director"]


async def test_debit_memo_adds_charges_with_their_discount_and_commission(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    adj = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "100.00")], kind="debit",
                                                     reason_code="rate_mismatch"), f"ana-{unique}")
    assert adj["status"] == "approved" and adj["total"] == "80.75"  # 100 - 5.00 - 14.25
    memo = (await adjustment_api.get(f"/v1/memos/{adj['memo_id']}", headers=as_(ANALYST, "x"))).json()
    assert memo["memo_number"].startswith("DM-") and memo["kind"] == "debit"


async def test_the_approvals_inbox_lists_what_the_caller_may_approve_now(adjustment_ctx, adjustment_api, unique):
    """approvable_by=me: never one's own request, never one already approved by oneself, only where a role one
    holds is still needed."""
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    mid = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "1000.00")]), f"mgr-a-{unique}")
    big = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "30000.00")]), f"ana-{unique}")
    assert big["approvals_still_needed"] == [MANAGER, DIRECTOR]

    async def inbox(role: str, sub: str) -> set[str]:
        answer = await adjustment_api.get("/v1/adjustments", params={"approvable_by": "me", "invoice_id":
                                          inv["invoice_id"]}, headers=as_(role, sub))
        assert answer.status_code == 200, answer.text
        return {a["adjustment_id"] for a in answer.json()["items"]}

    # The maker of the mid-size credit (holding the manager role) sees only the other one.
    assert await inbox(MANAGER, f"mgr-a-{unique}") == {big["adjustment_id"]}
    assert await inbox(MANAGER, f"mgr-b-{unique}") == {mid["adjustment_id"], big["adjustment_id"]}
    assert await inbox(ANALYST, f"ana-2-{unique}") == set()
    approved = await adjustment_api.post(f"/v1/adjustments/{big['adjustment_id']}/approve", json={},
                                         headers=as_(MANAGER, f"mgr-b-{unique}"))
    assert approved.status_code == 200, approved.text
    # Given once, never twice by the same person; the director's approval is what is missing now.
    assert await inbox(MANAGER, f"mgr-b-{unique}") == {mid["adjustment_id"]}
    assert await inbox(MANAGER, f"mgr-c-{unique}") == {mid["adjustment_id"]}
    assert await inbox(DIRECTOR, f"dir-{unique}") == {mid["adjustment_id"], big["adjustment_id"]}
