"""Headroom (rule 18), request validation, idempotency, audit, memo numbering and the memo PDF."""

from __future__ import annotations

import hashlib
import io
import re

from pypdf import PdfReader

from adjustment_svc.testing import (
    ANALYST,
    MANAGER,
    apply_events,
    as_,
    big_invoice,
    credit_body,
    dispute_opened,
    worked_example,
)


async def _invoice(ctx, data):
    await apply_events(ctx, [("InvoiceIssued", data, data["invoice_id"])])
    return data


async def test_headroom_counts_pending_credit_requests(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    first = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L2", "600.00")]),
                                      headers=as_(ANALYST, f"ana-{unique}"))
    assert first.json()["status"] == "pending_approval"
    second = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L2", "400.01")]),
                                       headers=as_(ANALYST, f"ana-{unique}"))
    assert second.status_code == 409
    problem = second.json()
    assert "line L2" in problem["detail"] and "headroom is 400.00 USD" in problem["detail"]
    assert problem["lines"][0]["pending_credit"] == "600.00"
    exact = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L2", "400.00")]),
                                      headers=as_(ANALYST, f"ana-{unique}"))
    assert exact.status_code == 201
    view = (await adjustment_api.get(f"/v1/invoices/{inv['invoice_id']}/headroom", headers=as_("auditor", "a")))
    l2 = next(x for x in view.json()["lines"] if x["invoice_line_id"] == "L2")
    assert (l2["pending_credit"], l2["headroom"]) == ("1000.00", "0.00")


async def test_headroom_counts_open_disputes_except_the_one_the_credit_settles(adjustment_ctx, adjustment_api,
                                                                               unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    await apply_events(adjustment_ctx, [("DisputeOpened", dispute_opened(f"dsp-{unique}", inv, [("L2", "700.00")]),
                                         f"dsp-{unique}")])
    body = credit_body(inv["invoice_id"], [("L2", "400.00")])
    blocked = await adjustment_api.post("/v1/adjustments", json=body, headers=as_(ANALYST, f"ana-{unique}"))
    assert blocked.status_code == 409 and "headroom is 300.00 USD" in blocked.json()["detail"]
    assert blocked.json()["lines"][0]["disputed"] == "700.00"
    settling = await adjustment_api.post("/v1/adjustments", json={**body, "dispute_id": f"dsp-{unique}"},
                                         headers=as_(ANALYST, f"ana-{unique}"))
    assert settling.status_code == 201 and settling.json()["dispute_id"] == f"dsp-{unique}"
    credited_after_withdrawal = credit_body(inv["invoice_id"], [("L2", "600.00")])
    await apply_events(adjustment_ctx, [("DisputeWithdrawn", {
        "dispute_id": f"dsp-{unique}", "invoice_id": inv["invoice_id"], "bill_to_account_id": inv["bill_to_account_id"],
        "withdrawn_by": "adv", "withdrawn_at": "2025-04-10T10:00:00+00:00"}, f"dsp-{unique}")])
    # 1000 - 400 pending; the withdrawn dispute no longer holds anything.
    ok = await adjustment_api.post("/v1/adjustments", json=credited_after_withdrawal,
                                   headers=as_(ANALYST, f"ana-{unique}"))
    assert ok.status_code == 201


async def test_headroom_counts_credit_already_issued(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    issued = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "200.00")]),
                                       headers=as_(ANALYST, f"ana-{unique}"))
    assert issued.json()["status"] == "approved"
    over = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "1800.01")]),
                                     headers=as_(ANALYST, f"ana-{unique}"))
    assert over.status_code == 409 and over.json()["lines"][0]["credited"] == "200.00"


async def test_only_usage_flat_fee_and_prior_period_lines_can_be_named(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    response = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("D", "5.00")]),
                                         headers=as_(ANALYST, f"ana-{unique}"))
    assert response.status_code == 422 and "D is a discount line" in response.json()["detail"]


async def test_requests_are_validated_before_anything_is_written(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    headers = as_(ANALYST, f"ana-{unique}")
    no_note = credit_body(inv["invoice_id"], [("L1", "5.00")], note=" ")
    assert (await adjustment_api.post("/v1/adjustments", json=no_note, headers=headers)).status_code == 422
    zero = credit_body(inv["invoice_id"], [("L1", "0.00")])
    assert (await adjustment_api.post("/v1/adjustments", json=zero, headers=headers)).status_code == 422
    twice = credit_body(inv["invoice_id"], [("L1", "5.00"), ("L1", "5.00")])
    assert (await adjustment_api.post("/v1/adjustments", json=twice, headers=headers)).status_code == 422
    unknown = credit_body(f"nope-{unique}", [("L1", "5.00")])
    assert (await adjustment_api.post("/v1/adjustments", json=unknown, headers=headers)).status_code == 422
    bad_reason = credit_body(inv["invoice_id"], [("L1", "5.00")], reason_code="because")
    assert (await adjustment_api.post("/v1/adjustments", json=bad_reason, headers=headers)).status_code == 422
    forbidden = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "5.00")]),
                                          headers=as_("auditor", f"aud-{unique}"))
    assert forbidden.status_code == 403
    listed = await adjustment_api.get(f"/v1/adjustments?invoice_id={inv['invoice_id']}", headers=headers)
    assert listed.json()["items"] == []


async def test_a_void_invoice_takes_no_memo(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    await apply_events(adjustment_ctx, [("InvoiceVoided", {
        "invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
        "bill_to_account_id": inv["bill_to_account_id"],
        "reason": "wrong contract", "voided_by": "mgr", "voided_at": "2025-04-02T09:00:00+00:00"},
        inv["invoice_id"])])
    response = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "5.00")]),
                                         headers=as_(ANALYST, f"ana-{unique}"))
    assert response.status_code == 409 and "void" in response.json()["detail"]


async def test_idempotency_key_replays_the_first_response(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    headers = {**as_(ANALYST, f"ana-{unique}"), "Idempotency-Key": f"key-{unique}"}
    body = credit_body(inv["invoice_id"], [("L1", "900.00")])
    first = await adjustment_api.post("/v1/adjustments", json=body, headers=headers)
    replay = await adjustment_api.post("/v1/adjustments", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["adjustment_id"] == first.json()["adjustment_id"]
    other_body = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "1.00")]),
                                           headers=headers)
    assert other_body.status_code == 422
    listed = await adjustment_api.get(f"/v1/adjustments?invoice_id={inv['invoice_id']}", headers=headers)
    assert len(listed.json()["items"]) == 1


async def test_request_approval_rejection_and_issue_are_audited(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    approved = (await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "800.00")]),
                                          headers=as_(ANALYST, f"ana-{unique}"))).json()
    await adjustment_api.post(f"/v1/adjustments/{approved['adjustment_id']}/approve", json={"comment": "ok"},
                              headers=as_(MANAGER, f"mgr-{unique}"))
    rejected = (await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "300.00")]),
                                          headers=as_(ANALYST, f"ana-{unique}"))).json()
    await adjustment_api.post(f"/v1/adjustments/{rejected['adjustment_id']}/reject", json={"reason": "dup"},
                              headers=as_(MANAGER, f"mgr-{unique}"))
    reader = as_("auditor", f"aud-{unique}")

    async def trail(entity_type, entity_id):
        page = await adjustment_api.get(f"/v1/audit?entity_type={entity_type}&entity_id={entity_id}", headers=reader)
        return [(e["action"], e["actor"]) for e in reversed(page.json()["items"])]

    assert await trail("adjustment", approved["adjustment_id"]) == [
        ("adjustment.requested", f"ana-{unique}"), ("adjustment.approved", f"mgr-{unique}")]
    memo_id = (await adjustment_api.get(f"/v1/adjustments/{approved['adjustment_id']}", headers=reader)).json()[
        "memo_id"]
    assert await trail("memo", memo_id) == [("memo.issued", f"mgr-{unique}")]
    assert await trail("adjustment", rejected["adjustment_id"]) == [
        ("adjustment.requested", f"ana-{unique}"), ("adjustment.rejected", f"mgr-{unique}")]


async def test_memo_numbers_are_consecutive_within_series_and_year(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    numbers = []
    for amount in ("10.00", "20.00"):
        adj = (await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", amount)]),
                                         headers=as_(ANALYST, f"ana-{unique}"))).json()
        memo = (await adjustment_api.get(f"/v1/memos/{adj['memo_id']}", headers=as_(ANALYST, "x"))).json()
        numbers.append(memo["memo_number"])
    pattern = re.compile(r"^CM-(\d{4})-(\d{8})$")
    (y1, n1), (y2, n2) = (pattern.match(n).groups() for n in numbers)
    assert y1 == y2 and int(n2) == int(n1) + 1


async def test_memo_document_names_bill_to_invoice_io_po_and_lines_and_no_staff(adjustment_ctx, adjustment_api,
                                                                                 unique):
    bill_to = f"AG-{unique}"
    await apply_events(adjustment_ctx, [("BillingAccountUpserted", {"state_version": 1, "account": {
        "account_id": bill_to, "type": "agency", "legal_name": "North Media Group LLC", "currency": "USD",
        "invoice_contact": "ap@north.example", "postal_address": "200 Park Avenue, New York NY 10166, USA",
        "tax_registration_id": "US EIN 13-1234567"}}, bill_to)])
    data = worked_example(f"inv-{unique}", bill_to=bill_to)
    words = {"L1": "Sponsored Products - LI-1", "OD": "Over-delivery beyond budget: Sponsored Products - LI-1",
             "D": "Discount 5%", "C": "Agency commission 15%"}
    lines = [{**ln, "description": words[ln["invoice_line_id"]]} for ln in data["lines"]]
    inv = await _invoice(adjustment_ctx, {**data, "po_number": "PO-42", "lines": lines})
    adj = (await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "200.00")]),
                                     headers=as_(ANALYST, f"ana-{unique}"))).json()
    memo = (await adjustment_api.get(f"/v1/memos/{adj['memo_id']}", headers=as_(ANALYST, "x"))).json()
    response = await adjustment_api.get(f"/v1/memos/{adj['memo_id']}/document", headers=as_("auditor", "a"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["etag"] == f'"{memo["document_sha256"]}"'
    assert hashlib.sha256(response.content).hexdigest() == memo["document_sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    required = [memo["memo_number"], inv["invoice_number"], "161.50", "North Media Group LLC", "200 Park Avenue",
                "US EIN 13-1234567", "IO-7", "PO-42", "Line 1", "Sponsored Products - LI-1", "Line 4",
                "Agency commission 15%", "Discount", "Invalid traffic"]
    assert [r for r in required if r not in text] == [], text
    for internal in (f"ana-{unique}", "agency_commission", "invalid_traffic", adj["memo_id"], "Requested by",
                     "Approved by", "policy"):
        assert internal not in text, internal
    again = await adjustment_api.get(f"/v1/memos/{adj['memo_id']}/document", headers=as_("auditor", "a"))
    assert again.content == response.content
    missing = await adjustment_api.get(f"/v1/memos/none-{unique}/document", headers=as_("auditor", "a"))
    assert missing.status_code == 404


async def test_lists_page_with_a_cursor_and_decisions_honour_if_match(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    headers = as_(ANALYST, f"ana-{unique}")
    created = [(await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", a)]),
                                          headers=headers)) for a in ("400.00", "500.00")]
    first = (await adjustment_api.get(f"/v1/adjustments?invoice_id={inv['invoice_id']}&limit=1",
                                      headers=headers)).json()
    second = (await adjustment_api.get(f"/v1/adjustments?invoice_id={inv['invoice_id']}&limit=1"
                                       f"&cursor={first['next_cursor']}", headers=headers)).json()
    seen = {first["items"][0]["adjustment_id"], second["items"][0]["adjustment_id"]}
    assert seen == {c.json()["adjustment_id"] for c in created} and second["next_cursor"] is None
    pending = await adjustment_api.get(f"/v1/adjustments?status=pending_approval&invoice_id={inv['invoice_id']}",
                                       headers=headers)
    assert len(pending.json()["items"]) == 2
    target = created[0]
    stale = await adjustment_api.post(f"/v1/adjustments/{target.json()['adjustment_id']}/approve", json={},
                                      headers={**as_(MANAGER, f"mgr-{unique}"), "If-Match": 'W/"99"'})
    assert stale.status_code == 412
    fresh = await adjustment_api.post(f"/v1/adjustments/{target.json()['adjustment_id']}/approve", json={},
                                      headers={**as_(MANAGER, f"mgr-{unique}"), "If-Match": target.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.json()["status"] == "approved"


async def test_memos_are_found_by_their_number_and_their_invoices_number(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, worked_example(f"inv-{unique}"))
    adj = (await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "10.00")]),
                                     headers=as_(ANALYST, f"ana-{unique}"))).json()
    memo = (await adjustment_api.get(f"/v1/memos/{adj['memo_id']}", headers=as_(ANALYST, "x"))).json()
    reader = as_("auditor", "aud")
    for params in ({"memo_number": memo["memo_number"]}, {"memo_number": memo["memo_number"].lower()},
                   {"invoice_number": inv["invoice_number"]}):
        listed = await adjustment_api.get("/v1/memos", params=params, headers=reader)
        assert [m["memo_id"] for m in listed.json()["items"]] == [memo["memo_id"]], params
    none = await adjustment_api.get("/v1/memos", params={"memo_number": "CM-1999-00000001"}, headers=reader)
    assert none.json()["items"] == []


async def test_a_request_made_from_an_invoice_drift_keeps_the_exception_it_corrects(adjustment_ctx, adjustment_api,
                                                                                   unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    body = credit_body(inv["invoice_id"], [("L2", "600.00")]) | {"source_exception_id": f"exc-drift-{unique}"}
    created = await adjustment_api.post("/v1/adjustments", json=body, headers=as_(ANALYST, f"ana-{unique}"))
    assert created.status_code == 201, created.text
    assert created.json()["source_exception_id"] == f"exc-drift-{unique}"
    assert created.json()["status"] == "pending_approval"    # the usual approvals apply
    read = await adjustment_api.get(f"/v1/adjustments/{created.json()['adjustment_id']}",
                                    headers=as_("auditor", "a"))
    assert read.json()["source_exception_id"] == f"exc-drift-{unique}"
    plain = await adjustment_api.post("/v1/adjustments", json=credit_body(inv["invoice_id"], [("L1", "1.00")]),
                                      headers=as_(ANALYST, f"ana-{unique}"))
    assert plain.status_code == 201 and plain.json()["source_exception_id"] is None
