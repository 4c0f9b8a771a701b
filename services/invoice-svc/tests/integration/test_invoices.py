"""Invoices through the API: the PDF an agency pays from, lists and filters, KPIs."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from invoice_svc.testing.billing import (
    MANAGER,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    product,
)

pytestmark = pytest.mark.integration


async def _agency_invoice(feed, billing, u: str, period: str = "2025-08") -> dict:
    agency, adv, p = f"AGY-{u}", f"ADV-{u}", f"P-{u}"
    await configure(feed, products=[product(p, tax_code="VAT")],
                    accounts=[account(agency, type="agency", terms=60, tax_rates={"VAT": "10"}), account(adv)],
                    contracts=[contract(f"IO-{u}", advertiser=adv, bill_to=agency, discount_pct="5",
                                        agency_commission_pct="15", po_number=f"PO-{u}",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "6.00"}])])
    await deliver(feed, [delivery(f"D-{u}", account_id=adv, contract_id=f"IO-{u}", line_item_id=f"L-{u}",
                                  product_code=p, day=f"{period}-12", impressions=250_000)])
    await billing.bill(period, "issue", [agency])
    return await billing.issued_invoice(agency, period)


async def test_the_invoice_pdf_opens_and_carries_what_an_agency_needs_to_pay_it(invoice_feed, billing, unique):
    invoice = await _agency_invoice(invoice_feed, billing, unique)
    response = await billing.client.get(f"/v1/invoices/{invoice['invoice_id']}/document", headers=READER)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    content = " ".join(page.extract_text() for page in pdf.pages)
    required = [
        invoice["invoice_number"], invoice["issue_date"], invoice["due_date"], "Net 60 days",
        f"AGY-{unique} Legal Name Inc.", "Remit to", billing.ctx.settings.remit_to[:30], f"IO-{unique}",
        f"PO-{unique}", f"Advertiser ADV-{unique}", f"Campaign L-{unique}", "2025-08-01", "2025-08-31",
        "250,000", "impressions", "6.00 / 1,000", "1,500.00", "-75.00", "-213.75", "121.13", "1,332.38",
        "Discount", "Agency commission", "Tax",
    ]
    missing = [field for field in required if field not in content]
    assert missing == [], content
    assert invoice["total"] == "1332.38"


async def test_invoices_list_by_filters_and_unknown_ids_are_404(invoice_feed, billing, unique):
    invoice = await _agency_invoice(invoice_feed, billing, unique, period="2025-09")
    listed = await billing.invoices(bill_to_account_id=f"AGY-{unique}", status="issued")
    assert [i["invoice_id"] for i in listed] == [invoice["invoice_id"]]
    assert await billing.invoices(contract_id=f"IO-{unique}", status="draft") == []
    # The console finds an invoice by its number, its PO or its advertiser (console.md).
    for found_by in ({"invoice_number": invoice["invoice_number"]}, {"po_number": f"PO-{unique}"},
                     {"account_id": f"ADV-{unique}"}):
        assert [i["invoice_id"] for i in await billing.invoices(**found_by)] == [invoice["invoice_id"]], found_by
    assert await billing.invoices(invoice_number="INV-1999-99999999") == []
    assert await billing.invoices(account_id=f"AGY-{unique}") == []  # the agency pays; it is not the advertiser
    assert (await billing.client.get("/v1/invoices/nope", headers=READER)).status_code == 404
    assert (await billing.client.get("/v1/invoices/nope/document", headers=READER)).status_code == 404
    assert (await billing.client.post("/v1/invoices/nope/void", json={"reason": "typo"},
                                      headers=MANAGER)).status_code == 404
    assert (await billing.client.get("/v1/invoices")).status_code == 401
    stale = await billing.client.post(f"/v1/invoices/{invoice['invoice_id']}/void", json={"reason": "typo"},
                                      headers=MANAGER | {"If-Match": '"999"'})
    assert stale.status_code == 412


async def test_kpis_report_invoices_billed_value_accuracy_and_open_exceptions(invoice_feed, billing, unique):
    await _agency_invoice(invoice_feed, billing, unique, period="2025-10")
    response = await billing.client.get("/v1/kpis", params={"from": "2025-10", "to": "2025-10-31"}, headers=READER)
    assert response.status_code == 200, response.text
    body = response.json()
    [usd] = [p for p in body["periods"] if p["period"] == "2025-10" and p["currency"] == "USD"]
    assert usd["invoices_issued"] >= 1
    accuracy = next(c for c in body["by_currency"] if c["currency"] == "USD")
    assert accuracy["billing_accuracy"] is not None and Decimal(0) <= Decimal(accuracy["billing_accuracy"]) <= 1
    assert body["open_exceptions"]["count"] >= 0 and isinstance(body["open_exceptions"]["by_kind"], list)
    bad = await billing.client.get("/v1/kpis", params={"from": "2025-11", "to": "2025-10"}, headers=READER)
    assert bad.status_code == 422
    assert (body["from"], body["to"], body["first_period"], body["last_period"]) == \
        ("2025-10-01", "2025-10-31", "2025-10", "2025-10")


async def test_kpi_windows_are_dates_included_at_both_ends_counting_the_periods_they_touch(
        invoice_feed, billing, unique):
    await _agency_invoice(invoice_feed, billing, unique, period="2025-10")

    async def periods(first: str, last: str) -> set[str]:
        response = await billing.client.get("/v1/kpis", params={"from": first, "to": last}, headers=READER)
        assert response.status_code == 200, response.text
        return {p["period"] for p in response.json()["periods"]}

    assert "2025-10" in await periods("2025-10-31", "2025-10-31")  # the last day of the period
    assert "2025-10" in await periods("2025-09-15", "2025-10-01")  # a window ending on its first day
    assert "2025-10" not in await periods("2025-09-01", "2025-09-30")
    assert "2025-10" not in await periods("2025-11-01", "2025-11-30")
