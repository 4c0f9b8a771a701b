"""Rule 22 on cumulative amounts through the API and the real database: a credit cannot be split to stay under an
approval limit, on one invoice or across a bill-to account's invoices, and the request says which limit decided."""

from __future__ import annotations

import asyncio

from adjustment_svc.testing import (
    ANALYST,
    MANAGER,
    apply_events,
    as_,
    big_invoice,
    credit_body,
    worked_example,
)


async def _invoice(ctx, data):
    await apply_events(ctx, [("InvoiceIssued", data, data["invoice_id"])])
    return data


async def _request(api, body, sub):
    response = await api.post("/v1/adjustments", json=body, headers=as_(ANALYST, sub))
    assert response.status_code == 201, response.text
    return response.json()


async def test_two_280_credits_on_one_line_need_the_manager_one_560_credit_needs(adjustment_ctx, adjustment_api,
                                                                                 unique):
    """The reported defect: each 280.00 credit (226.10 after reversing discount and commission) was approved by
    policy, where one 560.00 credit (452.20) needs a billing-manager."""
    whole = await _invoice(adjustment_ctx, worked_example(f"whole-{unique}"))
    one = await _request(adjustment_api, credit_body(whole["invoice_id"], [("L1", "560.00")]), f"ana-{unique}")
    assert (one["status"], one["approvals_still_needed"]) == ("pending_approval", ["billing-manager"])

    inv = await _invoice(adjustment_ctx, worked_example(f"split-{unique}"))
    first = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "280.00")]), f"ana-{unique}")
    assert (first["status"], first["total"], first["approval_level"]) == ("approved", "226.10", "policy")
    assert first["approval_basis"]["basis"] == "request" and first["approval_basis"]["limit"] == "250.00"
    second = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "280.00")]), f"ana-{unique}")
    assert second["status"] == "pending_approval" and second["memo_id"] is None
    assert second["approval_level"] == "manager" and second["approvals_still_needed"] == ["billing-manager"]
    basis = second["approval_basis"]
    assert (basis["basis"], basis["figure"], basis["limit"], basis["request_total"]) == \
        ("invoice_cumulative", "452.20", "250.00", "226.10")
    assert f"invoice {inv['invoice_number']} come to 452.20 USD" in basis["explanation"]
    assert "over the auto-approval limit of 250.00 USD" in basis["explanation"]

    audit = await adjustment_api.get("/v1/audit", params={"entity_type": "adjustment",
                                                          "entity_id": second["adjustment_id"]},
                                     headers=as_("auditor", "aud"))
    [requested] = [e for e in audit.json()["items"] if e["action"] == "adjustment.requested"]
    assert requested["after"]["approval_basis"] == basis


async def test_credits_split_across_lines_of_one_invoice_are_summed(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "150.00")]), f"ana-{unique}")
    other_line = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L2", "150.00")]), f"ana-{unique}")
    assert other_line["approval_level"] == "manager"
    assert other_line["approval_basis"]["invoice_cumulative"] == "300.00"


async def test_credits_split_across_invoices_of_one_bill_to_are_summed_for_the_month(adjustment_ctx, adjustment_api,
                                                                                     unique):
    bill_to = f"AG-{unique}"
    first_invoice = await _invoice(adjustment_ctx, big_invoice(f"a-{unique}", bill_to=bill_to))
    second_invoice = await _invoice(adjustment_ctx, big_invoice(f"b-{unique}", bill_to=bill_to, period="2025-04"))
    elsewhere = await _invoice(adjustment_ctx, big_invoice(f"c-{unique}"))
    first = await _request(adjustment_api, credit_body(first_invoice["invoice_id"], [("L1", "200.00")]), "ana")
    assert first["status"] == "approved"
    other_account = await _request(adjustment_api, credit_body(elsewhere["invoice_id"], [("L1", "200.00")]), "ana")
    assert other_account["status"] == "approved"
    second = await _request(adjustment_api, credit_body(second_invoice["invoice_id"], [("L1", "200.00")]), "ana")
    assert second["approval_level"] == "manager"
    basis = second["approval_basis"]
    assert (basis["basis"], basis["account_cumulative"], basis["invoice_cumulative"]) == \
        ("account_period_cumulative", "400.00", "200.00")
    assert (basis["bill_to_account_id"], basis["account_window"]) == (bill_to, "request_month")
    assert f"bill-to {bill_to} (requests made in {basis['account_period']})" in basis["explanation"]


async def test_pending_requests_count_and_rejected_ones_do_not(adjustment_ctx, adjustment_api, unique):
    inv = await _invoice(adjustment_ctx, big_invoice(f"inv-{unique}"))
    pending = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "1000.00")]), f"ana-{unique}")
    small = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "10.00")]), f"ana-{unique}")
    assert small["approval_level"] == "manager" and small["approval_basis"]["invoice_cumulative"] == "1010.00"
    for refused in (pending, small):
        response = await adjustment_api.post(f"/v1/adjustments/{refused['adjustment_id']}/reject",
                                             json={"reason": "not agreed"}, headers=as_(MANAGER, f"mgr-{unique}"))
        assert response.status_code == 200, response.text
    after = await _request(adjustment_api, credit_body(inv["invoice_id"], [("L1", "10.00")]), f"ana-{unique}")
    assert after["status"] == "approved" and after["approval_basis"]["invoice_cumulative"] == "10.00"


async def test_two_requests_at_once_for_one_bill_to_cannot_both_pass_on_the_same_figures(
        adjustment_ctx, adjustment_api, unique):
    bill_to = f"AG-{unique}"
    invoices = [await _invoice(adjustment_ctx, big_invoice(f"{n}-{unique}", bill_to=bill_to)) for n in "ab"]
    responses = await asyncio.gather(*(
        adjustment_api.post("/v1/adjustments", json=credit_body(i["invoice_id"], [("L1", "200.00")]),
                            headers=as_(ANALYST, f"ana-{unique}")) for i in invoices))
    assert [r.status_code for r in responses] == [201, 201]
    assert sorted(r.json()["approval_level"] for r in responses) == ["manager", "policy"]
