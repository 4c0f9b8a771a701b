"""POST /v1/disputes against the invoice read model: every validation rule, the event, auth and idempotency."""

from __future__ import annotations

from mediabill_common.events.catalog import DisputeOpened
from mediabill_common.testing.kafka import flush_outbox, read_topic
from mediabill_common.testing.plugin import bearer


async def test_open_dispute_is_stored_with_sla_and_history_and_announced_on_the_topic(dispute_env, unique,
                                                                                      kafka_bootstrap):
    inv = await dispute_env.seed_invoice(unique)
    attachment = {"url": "https://files.example.com/po.pdf", "name": "po.pdf", "sha256": "ab" * 32}
    resp = await dispute_env.open(inv, {f"{unique}-u2": "100.00", f"{unique}-f1": "50.00"},
                                  attachments=[attachment])
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert resp.headers["location"] == f"/v1/disputes/{body['dispute_id']}"
    assert resp.headers["etag"] == 'W/"1"'
    assert (body["status"], body["amount"], body["currency"]) == ("open", "150.00", "USD")
    assert body["sla"]["assignment_due_at"] == "2026-11-12T12:00:00Z"  # Tuesday + 2 business days
    assert body["sla"]["resolution_due_at"] == "2026-12-10T12:00:00Z"
    assert body["attachments"] == [attachment]
    assert [(h["action"], h["actor"]) for h in body["history"]] == [("opened", "ana")]
    read = (await dispute_env.get(f"/v1/disputes/{body['dispute_id']}")).json()
    assert read["attachments"] == [attachment] and read["history"] == body["history"]

    await flush_outbox(dispute_env.ctx)
    [(value, record)] = await read_topic(
        kafka_bootstrap, "billing.disputes.v1",
        lambda v, r: bool(v) and v.get("data", {}).get("dispute_id") == body["dispute_id"], count=1)
    assert value["type"] == "DisputeOpened" and record.key.decode() == inv["bill_to_account_id"]
    event = DisputeOpened.model_validate(value["data"])
    assert event.amount == 150 and event.invoice_number == inv["invoice_number"]
    assert [(ln.invoice_line_id, str(ln.amount)) for ln in event.lines] == [(f"{unique}-u2", "100.00"),
                                                                          (f"{unique}-f1", "50.00")]
    assert event.sla_due_at.isoformat() == "2026-12-10T12:00:00+00:00"
    assert value["data"]["amount"] == "150.00"


async def test_unknown_invoice_is_refused_with_the_reason(dispute_env, unique):
    resp = await dispute_env.open({"invoice_id": f"nope-{unique}"}, {"x": "1.00"})
    assert resp.status_code == 422
    assert f"invoice nope-{unique} is not known to dispute-svc" in resp.json()["detail"]


async def test_void_invoice_cannot_be_disputed(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    await dispute_env.apply("InvoiceVoided", {
        "invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
        "bill_to_account_id": inv["bill_to_account_id"], "reason": "wrong PO", "voided_by": "mgr",
        "voided_at": "2026-11-05T10:00:00Z"})
    resp = await dispute_env.open(inv, {f"{unique}-u1": "10.00"})
    assert resp.status_code == 409 and "is void" in resp.json()["detail"]


async def test_dispute_window_closed_names_the_date(dispute_env, unique):
    from datetime import date

    inv = await dispute_env.seed_invoice(unique, issue_date=date(2026, 8, 1), period="2026-07")
    resp = await dispute_env.open(inv, {f"{unique}-u1": "10.00"})
    assert resp.status_code == 409
    assert "closed on 2026-10-30" in resp.json()["detail"]


async def test_headroom_counts_open_disputes_and_credits_and_frees_on_withdrawal(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    line = f"{unique}-u2"  # 700.00
    first = await dispute_env.open(inv, {line: "600.00"})
    assert first.status_code == 201
    over = await dispute_env.open(inv, {line: "100.01"})
    assert over.status_code == 409
    assert f"line {line} has a headroom of 100.00 USD" in over.json()["detail"]

    await dispute_env.apply("CreditMemoIssued", {
        "memo_id": f"m-{unique}", "memo_number": f"CM-2026-{unique[:8]}", "adjustment_id": f"adj-{unique}",
        "invoice_id": inv["invoice_id"], "invoice_number": inv["invoice_number"],
        "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": None,
        "lines": [{"invoice_line_id": line, "kind": "usage", "amount": "40.00", "description": "goodwill"}],
        "total": "40.00", "currency": "USD", "reason_code": "other", "requested_by": "ana", "approved_by": [],
        "issued_at": "2026-11-06T10:00:00Z"})
    after_credit = await dispute_env.open(inv, {line: "60.01"})
    assert "headroom of 60.00 USD" in after_credit.json()["detail"]

    withdrawn = await dispute_env.post(f"/v1/disputes/{first.json()['dispute_id']}/withdraw", {"note": "agreed"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await dispute_env.open(inv, {line: "660.00"})).status_code == 201


async def test_lines_that_cannot_be_disputed_are_refused_precisely(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    discount = await dispute_env.open(inv, {f"{unique}-d1": "10.00"})
    assert discount.status_code == 409 and "is a discount line" in discount.json()["detail"]
    over_delivery = await dispute_env.open(inv, {f"{unique}-o1": "1.00"})
    assert over_delivery.status_code == 409 and "headroom of 0.00 USD" in over_delivery.json()["detail"]
    unknown = await dispute_env.open(inv, {f"{unique}-zz": "1.00"})
    assert unknown.status_code == 422 and f"has no line {unique}-zz" in unknown.json()["detail"]
    zero = await dispute_env.open(inv, {f"{unique}-u1": "0"})
    assert zero.status_code == 422 and "amount must be greater than 0" in zero.json()["detail"]


async def test_request_shape_errors_are_422_and_nothing_is_written(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    bad_reason = await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, reason="pricing")
    assert bad_reason.status_code == 422 and "reason_code 'pricing'" in bad_reason.json()["detail"]
    no_description = await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, description=" ")
    assert no_description.status_code == 422 and "description is required" in no_description.json()["detail"]
    number = await dispute_env.http.post("/v1/disputes", headers=bearer("billing-analyst"), json={
        "invoice_id": inv["invoice_id"], "reason_code": "tax", "description": "x",
        "lines": [{"invoice_line_id": f"{unique}-u1", "amount": 1.5}]})
    assert number.status_code == 422 and "decimal string" in number.json()["detail"]
    no_lines = await dispute_env.open(inv, {})
    assert no_lines.status_code == 422
    listed = await dispute_env.get("/v1/disputes", invoice_id=inv["invoice_id"])
    assert listed.json()["items"] == []


async def test_a_nul_character_in_the_body_is_a_422_and_nothing_is_written(dispute_env, unique):
    # Found by the stateful API tests: jsonb cannot hold \u0000, and the insert failed with a 500.
    inv = await dispute_env.seed_invoice(unique)
    refused = await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, description="contested\x00")
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [{"field": None, "in": "body",
                                         "message": "contains the NUL character (U+0000), which no field accepts"}]
    listed = await dispute_env.get("/v1/disputes", invoice_id=inv["invoice_id"])
    assert listed.json()["items"] == []


async def test_only_analysts_and_services_open_disputes(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    assert (await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, roles="auditor")).status_code == 403
    assert (await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, roles="config-admin")).status_code == 403
    no_token = await dispute_env.http.post("/v1/disputes", json={})
    assert no_token.status_code == 401
    by_service = await dispute_env.open(inv, {f"{unique}-u1": "1.00"}, roles="service", sub="portal-backend")
    assert by_service.status_code == 201 and by_service.json()["opened_by"] == "portal-backend"


async def test_same_idempotency_key_returns_the_first_dispute(dispute_env, unique):
    inv = await dispute_env.seed_invoice(unique)
    body = {"invoice_id": inv["invoice_id"], "reason_code": "tax", "description": "wrong tax",
            "lines": [{"invoice_line_id": f"{unique}-u1", "amount": "5.00"}]}
    headers = {**bearer("billing-analyst", "ana"), "Idempotency-Key": f"k-{unique}"}
    first = await dispute_env.http.post("/v1/disputes", json=body, headers=headers)
    again = await dispute_env.http.post("/v1/disputes", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["dispute_id"] == again.json()["dispute_id"]
    listed = await dispute_env.get("/v1/disputes", invoice_id=inv["invoice_id"])
    assert len(listed.json()["items"]) == 1


async def test_openapi_document_lists_the_dispute_api(dispute_env):
    doc = (await dispute_env.http.get("/openapi.json")).json()
    assert {"/v1/disputes", "/v1/disputes/{dispute_id}/resolve", "/v1/disputes/{dispute_id}/evidence",
            "/v1/sla-policy", "/v1/kpis"} <= set(doc["paths"])
    assert (await dispute_env.http.get("/docs")).status_code == 200
