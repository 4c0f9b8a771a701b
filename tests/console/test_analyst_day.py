"""A billing analyst's day in the console, in a real browser against the whole system: they find an invoice by its
number and read its PDF, open a dispute on a line, read the evidence and resolve it; their manager finds the credit
in the approvals inbox and approves it, and the invoice's balance on screen goes down by it."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def _undisputed_invoice(api) -> dict:
    """An issued, unpaid invoice nobody disputes yet, with a usage line of more than 300."""
    disputed = {d["invoice_id"] for d in await api.get_all("dispute-svc", "/v1/disputes")}
    for summary in await api.get_all("invoice-svc", "/v1/invoices", status="issued"):
        if summary["invoice_id"] in disputed:
            continue
        invoice = await api.get("invoice-svc", f"/v1/invoices/{summary['invoice_id']}")
        lines = [ln for ln in invoice["lines"] if ln["kind"] == "usage" and float(ln["amount"]) > 300]
        balance = invoice["balance"]
        if lines and float(balance["credited"]) == 0 and float(balance["balance_due"]) > 300:
            return {**invoice, "line": lines[0]}
    raise AssertionError("the demo month has no unpaid, undisputed invoice with a usage line over 300")


async def test_analyst_finds_an_invoice_by_number_and_opens_its_pdf(browser, console_url, api):
    invoice = await _undisputed_invoice(api)
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.get_by_role("link", name="Invoices").click()
    await page.get_by_label("Invoice number").fill(invoice["invoice_number"])
    await page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table", name="Invoices")
    await expect(table.get_by_role("row")).to_have_count(2)  # the header and the one invoice
    await table.get_by_role("link", name=invoice["invoice_number"]).click()
    await expect(page.get_by_role("heading", name=f"Invoice {invoice['invoice_number']}")).to_be_visible()

    await page.get_by_role("button", name="Show the PDF").click()
    pdf = page.get_by_title(f"Invoice {invoice['invoice_number']} as PDF")
    await expect(pdf).to_be_visible()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download the PDF").click()
    download = await download_info.value
    assert download.suggested_filename == f"{invoice['invoice_number']}.pdf"
    assert (await _read(download)).startswith(b"%PDF")
    await screenshot(page, "invoice")
    assert await serious_accessibility_violations(page) == []


async def test_a_disputed_line_is_credited_after_a_second_person_approves(browser, console_url, api):
    # An analyst may resolve with a credit up to 250 (rule 19); this network wants a manager's approval on any
    # credit above 100 (rule 22's limits are data: the director sets them).
    await api.put("adjustment-svc", "/v1/approval-policy",
                  {"USD": {"auto_approve_max": "100.00", "single_approval_max": "25000.00"}}, as_="billing-director")
    invoice = await _undisputed_invoice(api)
    line = invoice["line"]
    analyst = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await analyst.goto(f"/invoices/{invoice['invoice_id']}")
    balance = analyst.get_by_test_id("balance-due")
    await expect(balance).to_be_visible()
    balance_before = await balance.inner_text()

    await analyst.get_by_role("button", name=f"Dispute line {line['description']}").click()
    await analyst.get_by_label("What the advertiser says").fill("The advertiser counts fewer impressions")
    await analyst.get_by_label("Disputed amount (USD)").fill("200.00")
    await analyst.get_by_role("button", name="Open the dispute").click()
    await expect(analyst.get_by_role("heading", name=re.compile(r"^Dispute "))).to_be_visible()
    evidence = analyst.get_by_role("region", name="Evidence")
    await expect(evidence.get_by_role("heading", name="Contract terms")).to_be_visible()
    await expect(evidence.get_by_role("heading", name="Re-price difference")).to_be_visible()
    await expect(evidence.get_by_text(line["invoice_line_id"]).first).to_be_visible()
    await screenshot(analyst, "dispute")
    assert await serious_accessibility_violations(analyst) == []

    await analyst.get_by_role("button", name="Assign to me").click()
    await analyst.get_by_label("Outcome").select_option("upheld")
    await analyst.get_by_label("Credit amount (USD)").fill("200.00")
    await analyst.get_by_label("Root cause").select_option("third_party_discrepancy")
    await analyst.get_by_label("Resolution note").fill("Third-party counts confirm the shortfall")
    await analyst.get_by_role("button", name="Resolve the dispute").click()
    await expect(analyst.get_by_text("upheld, credit $200.00")).to_be_visible()
    dispute_id = analyst.url.rsplit("/", 1)[1]
    assert (await api.get("dispute-svc", f"/v1/disputes/{dispute_id}"))["root_cause"] == "third_party_discrepancy"
    credit = await api.wait_until(lambda: _credit_of(api, dispute_id), timeout_s=120, what="the credit request")

    # The analyst sees their own request waiting, with no button to approve it.
    await analyst.get_by_role("link", name="Approvals").click()
    own = analyst.get_by_role("article", name=f"credit request {credit['adjustment_id']}")
    await expect(own).to_be_visible()
    await expect(own.get_by_text("You requested this")).to_be_visible()
    await expect(own.get_by_role("button", name="Approve")).to_have_count(0)

    manager = await sign_in(browser, console_url, "billing-manager", "billing-manager")
    await manager.get_by_role("link", name="Approvals").click()
    request = manager.get_by_role("region", name="My inbox").get_by_role(
        "article", name=f"credit request {credit['adjustment_id']}")
    await expect(request).to_be_visible()
    await expect(request.get_by_role("link", name=dispute_id)).to_be_visible()
    await screenshot(manager, "approvals")
    assert await serious_accessibility_violations(manager) == []
    # The credit keeps the dispute's root cause: shown, not asked again.
    await expect(request.get_by_text("third party discrepancy (the dispute's)")).to_be_visible()
    await expect(request.get_by_label("Root cause")).to_have_count(0)
    await request.get_by_label("Note (a rejection needs one)").fill("Evidence is clear")
    await request.get_by_role("button", name="Approve").click()
    await expect(request).to_have_count(0)
    assert (await api.get("adjustment-svc", f"/v1/adjustments/{credit['adjustment_id']}"))["root_cause"] == \
        "third_party_discrepancy"

    expected = await api.wait_until(lambda: _credited(api, invoice["invoice_id"]), timeout_s=120,
                                    what="the credit on the invoice's balance")
    await manager.goto(f"/invoices/{invoice['invoice_id']}")
    shown = manager.get_by_test_id("balance-due")
    await expect(shown).not_to_have_text(balance_before)
    assert _money(await shown.inner_text()) == _money(f"{float(expected['balance_due']):,.2f}")
    memos = manager.get_by_role("region", name="Credit and debit memos")
    await expect(memos.get_by_text("credit memo")).to_be_visible()

    # The balance history shows the memo's effect: the credit, who asked for it, and the balance after it.
    history = await api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}/history")
    step = next(s for s in history["steps"] if s["kind"] == "credit_memo")
    table = manager.get_by_role("table", name=f"Every change to the balance of invoice {invoice['invoice_number']}, "
                                              "oldest first")
    await expect(table.get_by_role("row")).to_have_count(1 + len(history["steps"]))
    row = table.get_by_role("row").filter(has=manager.get_by_role("rowheader", name="Credit memo", exact=True))
    await expect(row).to_contain_text(f"${Decimal(step['amount']):,.2f}")
    await expect(row).to_contain_text(f"${Decimal(step['balance_due_after']):,.2f}")
    assert Decimal(history["steps"][-1]["balance_due_after"]) == Decimal(expected["balance_due"])
    await screenshot(manager, "invoice-balance-history")
    assert await serious_accessibility_violations(manager) == []


async def test_an_approver_records_the_root_cause_of_a_credit_requested_without_one(browser, console_url, api):
    await api.put("adjustment-svc", "/v1/approval-policy",
                  {"USD": {"auto_approve_max": "100.00", "single_approval_max": "25000.00"}}, as_="billing-director")
    invoice = await _undisputed_invoice(api)
    request = await api.post("adjustment-svc", "/v1/adjustments", {
        "invoice_id": invoice["invoice_id"], "kind": "credit", "reason_code": "other",
        "note": "goodwill for a late creative", "lines": [{
            "invoice_line_id": invoice["line"]["invoice_line_id"], "amount": "150.00",
            "description": "goodwill credit"}]}, as_="billing-analyst")
    assert request["status"] == "pending_approval" and request["root_cause"] is None, request

    manager = await sign_in(browser, console_url, "billing-manager", "billing-manager")
    await manager.get_by_role("link", name="Approvals").click()
    article = manager.get_by_role("region", name="My inbox").get_by_role(
        "article", name=f"credit request {request['adjustment_id']}")
    await article.get_by_label("Root cause").select_option("make_good")
    await article.get_by_role("button", name="Approve").click()
    await expect(article).to_have_count(0)
    approved = await api.get("adjustment-svc", f"/v1/adjustments/{request['adjustment_id']}")
    assert (approved["status"], approved["root_cause"]) == ("approved", "make_good"), approved


async def _credit_of(api, dispute_id: str) -> dict | None:
    items = (await api.get("adjustment-svc", "/v1/adjustments", dispute_id=dispute_id))["items"]
    return items[0] if items else None


async def _credited(api, invoice_id: str) -> dict | None:
    balance = (await api.get("invoice-svc", f"/v1/invoices/{invoice_id}"))["balance"]
    return balance if float(balance["credited"]) > 0 else None


async def _read(download) -> bytes:
    return await asyncio.to_thread(Path(await download.path()).read_bytes)


def _money(text: str) -> str:
    return re.sub(r"[^0-9.]", "", text)
