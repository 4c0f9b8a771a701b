"""Issued documents never change: an invoice's PDF is stored once with its SHA-256 and served byte for byte, whatever
is paid or credited on it afterwards (what is due is on the statement of account)."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from invoice_svc.entrypoints.worker import store_documents_once
from invoice_svc.testing.billing import READER, account, configure, contract, deliver, delivery, product
from mediabill_common.events.catalog import ADJUSTMENTS_TOPIC, DISPUTES_TOPIC, PAYMENTS_TOPIC
from mediabill_common.testing.kafka import envelope_for, producer_source

pytestmark = pytest.mark.integration


async def _issue(feed, billing, u: str) -> dict:
    """One invoice of 1000.00 (200,000 impressions at $5.00 CPM)."""
    adv, p = f"ADV-{u}", f"P-{u}"
    await configure(feed, products=[product(p)], accounts=[account(adv)], contracts=[
        contract(f"C-{u}", advertiser=adv, bill_to=adv, lines=[{"line_item_id": f"L-{u}", "product_code": p,
                                                              "rate": "5.00"}])])
    await deliver(feed, [delivery(f"D-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"L-{u}",
                                  product_code=p, day="2025-05-11", impressions=200_000)])
    await billing.bill("2025-05", "issue", [adv])
    return await billing.issued_invoice(adv, "2025-05")


async def _credit_and_pay(feed, invoice: dict, u: str) -> None:
    ref = {"invoice_id": invoice["invoice_id"], "bill_to_account_id": invoice["bill_to_account_id"]}
    memo = {"memo_id": f"CM-{u}", "memo_number": "CM-2025-00000009", "adjustment_id": f"ADJ-{u}",
            "invoice_number": invoice["invoice_number"], "dispute_id": None, "currency": "USD",
            "lines": [{"invoice_line_id": invoice["lines"][0]["invoice_line_id"], "kind": "usage", "amount": "-40.00",
                       "description": "credit"}], "total": "40.00", "reason_code": "rate_mismatch",
            "requested_by": "analyst@example", "approved_by": ["manager@example"],
            "issued_at": "2025-06-06T10:00:00Z", **ref}
    pay = {"payment_id": f"PAY-{u}", "amount": "500.00", "currency": "USD", "applied_at": "2025-06-08T10:00:00Z",
           **ref}
    for topic, event_type, data in ((ADJUSTMENTS_TOPIC, "CreditMemoIssued", memo),
                                    (PAYMENTS_TOPIC, "PaymentApplied", pay)):
        envelope = envelope_for(event_type, data, subject=data["invoice_id"])
        await feed.publish_and_apply(topic, [(data["bill_to_account_id"], envelope)])


async def _download(billing, invoice_id: str):
    response = await billing.client.get(f"/v1/invoices/{invoice_id}/document", headers=READER)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    return response


async def test_the_invoice_pdf_is_the_same_bytes_before_and_after_a_credit_memo_and_a_payment(
        invoice_feed, billing, unique):
    invoice = await _issue(invoice_feed, billing, unique)
    before = await _download(billing, invoice["invoice_id"])
    digest = hashlib.sha256(before.content).hexdigest()
    assert before.headers["etag"] == f'"{digest}"'
    encoded = base64.b64encode(hashlib.sha256(before.content).digest()).decode()
    assert before.headers["repr-digest"] == f"sha-256=:{encoded}:"

    await _credit_and_pay(invoice_feed, invoice, unique)
    after = await _download(billing, invoice["invoice_id"])
    changed = await billing.invoice(invoice["invoice_id"])
    assert changed["balance"]["balance_due"] == "460.00"  # the payment and the memo did land
    assert hashlib.sha256(after.content).hexdigest() == digest
    assert after.content == before.content
    assert changed["document_sha256"] == digest
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(after.content)).pages)
    assert "1,000.00" in text and "460.00" not in text and "Balance due" not in text


async def test_a_stored_document_cannot_be_changed_or_deleted(invoice_feed, billing, unique):
    invoice = await _issue(invoice_feed, billing, unique)
    assert (await billing.invoice(invoice["invoice_id"]))["document_sha256"] is None  # reading it renders nothing
    await _download(billing, invoice["invoice_id"])
    first = (await billing.invoice(invoice["invoice_id"]))["document_sha256"]
    assert first is not None
    for statement in ("UPDATE invoice_svc.invoice_documents SET pdf = 'x' WHERE invoice_id = :id",
                      "DELETE FROM invoice_svc.invoice_documents WHERE invoice_id = :id"):
        with pytest.raises(DBAPIError, match="an issued document never changes"):
            async with billing.ctx.sessions() as session, session.begin():
                await session.execute(text(statement), {"id": invoice["invoice_id"]})
    assert (await billing.invoice(invoice["invoice_id"]))["document_sha256"] == first


async def test_history_lists_issue_dispute_memo_and_payment_in_order_with_their_actors_and_the_audit_trail_too(
        invoice_feed, billing, unique):
    invoice = await _issue(invoice_feed, billing, unique)
    ref = {"invoice_id": invoice["invoice_id"], "bill_to_account_id": invoice["bill_to_account_id"]}
    line = {"invoice_line_id": invoice["lines"][0]["invoice_line_id"], "amount": "40.00"}
    for event_type, data in (
            ("DisputeOpened", {"dispute_id": f"X-{unique}", "invoice_number": invoice["invoice_number"],
                               "lines": [line], "amount": "40.00", "currency": "USD", "reason_code": "rate_mismatch",
                               "opened_by": "ana.analyst@example", "opened_at": "2025-06-02T10:00:00Z",
                               "sla_due_at": "2025-07-02T10:00:00Z", **ref}),
            ("DisputeResolved", {"dispute_id": f"X-{unique}", "outcome": "upheld", "credit_amount": "40.00",
                                 "currency": "USD", "resolution_note": "rate was wrong",
                                 "resolved_by": "max.manager@example", "resolved_at": "2025-06-04T10:00:00Z", **ref})):
        await invoice_feed.publish_and_apply(DISPUTES_TOPIC, [(ref["bill_to_account_id"], envelope_for(
            event_type, data, subject=data["invoice_id"]))])
    await _credit_and_pay(invoice_feed, invoice, unique)

    payer = producer_source("PaymentApplied")  # a payment names no person: the system that sent it
    response = await billing.client.get(f"/v1/invoices/{invoice['invoice_id']}/history", headers=READER)
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]
    assert [(s["kind"], s["actor"]) for s in steps] == [
        ("issued", "manager@example.com"), ("dispute_opened", "ana.analyst@example"),
        ("dispute_resolved", "max.manager@example"), ("credit_memo", "analyst@example"),
        ("payment", payer)]
    assert steps[0]["reference"] == invoice["bill_run_id"]
    assert steps[3]["details"]["approved_by"] == ["manager@example"]
    assert steps[3]["details"]["memo_number"] == "CM-2025-00000009"
    assert steps[4]["details"]["payment_id"] == f"PAY-{unique}" and steps[4]["balance_due_after"] == "460.00"
    audit = await billing.client.get("/v1/audit", params={"entity_id": invoice["invoice_id"]}, headers=READER)
    actions = {(e["action"], e["actor"]) for e in audit.json()["items"]}
    assert {("balance.payment", payer), ("balance.credit_memo", "analyst@example"),
            ("balance.dispute_opened", "ana.analyst@example")} <= actions


async def test_the_amount_due_lives_in_the_statement_of_account_as_of_a_date(invoice_feed, billing, unique):
    invoice = await _issue(invoice_feed, billing, unique)
    account = invoice["bill_to_account_id"]
    await _credit_and_pay(invoice_feed, invoice, unique)  # memo 2025-06-06, payment 2025-06-08

    now = (await billing.client.get(f"/v1/accounts/{account}/statement", headers=READER)).json()
    assert [t["balance_due"] for t in now["totals"]] == ["460.00"]
    [open_invoice] = now["open_invoices"]
    assert (open_invoice["invoice_number"], open_invoice["paid"], open_invoice["credited"]) == \
        (invoice["invoice_number"], "500.00", "40.00")
    assert [(a["kind"], a["reference"]) for a in now["activity"]] == [
        ("credit_memo", "CM-2025-00000009"), ("payment", f"PAY-{unique}")]
    assert now["postal_address"] == f"1 {account} Plaza, Springfield IL 62701, USA"

    day_before_issue = date.fromisoformat(invoice["issue_date"]) - timedelta(days=1)
    before_issue = (await billing.client.get(f"/v1/accounts/{account}/statement",
                                             params={"as_of": day_before_issue.isoformat()}, headers=READER)).json()
    assert (before_issue["totals"], before_issue["open_invoices"]) == ([], [])

    pdf = await billing.client.get(f"/v1/accounts/{account}/statement",
                                   headers=READER | {"Accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "460.00" in text and invoice["invoice_number"] in text and f"PAY-{unique}" in text
    document = await billing.client.get(f"/v1/accounts/{account}/statement/document", headers=READER)
    assert document.headers["content-type"] == "application/pdf"
    unknown = await billing.client.get(f"/v1/accounts/NOBODY-{unique}/statement", headers=READER)
    assert unknown.status_code == 404


async def test_the_worker_stores_an_issued_invoices_document_before_anyone_downloads_it(
        invoice_ctx, invoice_feed, billing, unique):
    invoice = await _issue(invoice_feed, billing, unique)
    assert await store_documents_once(invoice_ctx, limit=1) == 1  # newest first: the invoice just issued
    async with invoice_ctx.sessions() as session:
        stored = (await session.execute(text("SELECT sha256 FROM invoice_svc.invoice_documents "
                                             "WHERE invoice_id = :i"), {"i": invoice["invoice_id"]})).scalar_one()
    assert (await billing.invoice(invoice["invoice_id"]))["document_sha256"] == stored
    downloaded = await _download(billing, invoice["invoice_id"])
    assert hashlib.sha256(downloaded.content).hexdigest() == stored
