"""The invoice document as an agency's accounts-payable reads it: the parties, their addresses and tax ids, the lines
in the customer's words, no balance and no internal wording; rendered to the same bytes every time."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from invoice_svc.adapters.invoice_document import render_invoice_pdf
from invoice_svc.app.documents import Seller
from invoice_svc.app.invoices import InvoiceView
from invoice_svc.app.stored import Invoice, StoredLine
from invoice_svc.domain.billing.balance import balance_of
from mediabill_common.document_text import customer_description, has_commission, kind_label
from mediabill_common.money import Money

D = Decimal
SELLER = Seller("Retail Media Co", "9 Seller Road, Austin TX 78701, USA", "US EIN 11-1111111",
                "Retail Media Co, AR, PO Box 1, Austin TX", "Bank: Example Bank, Account 42")
LATER_SELLER = Seller("Renamed Co", "elsewhere", "US EIN 99-9999999", "elsewhere", "another bank")


def _line(no: int, kind: str, description: str, amount: str, quantity: int = 1, unit: str | None = None,
          value: str | None = None) -> StoredLine:
    return StoredLine("INV1", no, f"line-{no}", kind, "usage", description, "P1", None, "C1", "Campaign One",
                      "LI-1", quantity, unit, D(amount), 1000 if unit else 1, D(amount), None if value is None
                      else D(value), None, None)


def _invoice(*, commission: str = "-100.00", document: dict | None = None) -> Invoice:
    doc = {"bill_to_name": "Agency Inc.", "bill_to_contact": "ap@agency.example",
           "bill_to_address": "5 Agency Avenue, New York NY 10001, USA", "bill_to_tax_registration_id": "US EIN 22-2",
           "advertiser_name": "Acme Foods", "campaigns": ["Campaign One"], "seller": SELLER.as_record()}
    total = D("1000.00") + D(commission)
    return Invoice("INV1", "INV-2025-00000001", "issued", "AGY-1", "ADV-1", "IO-1", "PO-1", "2025-08",
                   date(2025, 8, 1), date(2025, 8, 31), date(2025, 9, 1), date(2025, 10, 1), 30, "USD",
                   D("1000.00"), D(0), D(commission), D(0), total, False, "RUN-1", total, "issued",
                   datetime(2025, 9, 1, tzinfo=UTC), doc if document is None else document, [],
                   balance_of(Money(total, "USD"), []), None, None, None, 1)


def _lines(commission: bool = True) -> list[StoredLine]:
    lines = [_line(1, "usage", "Sponsored Products - LI-1 (rate card from 2025-08-03)", "1000.00", 200_000,
                   "impressions"),
             _line(2, "over_delivery", "Over-delivery beyond budget: Sponsored Products - LI-1", "0.00", 5_000,
                   "impressions", value="25.00")]
    if commission:
        lines.append(_line(3, "agency_commission", "Agency commission 10%: commission", "-100.00"))
    return lines


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_document_names_seller_and_buyer_with_addresses_tax_ids_and_remit_to():
    text = _text(render_invoice_pdf(InvoiceView(_invoice(), _lines(), None), LATER_SELLER))
    required = ["Retail Media Co", "9 Seller Road", "US EIN 11-1111111", "Remit to", "PO Box 1", "Example Bank",
                "Agency Inc.", "5 Agency Avenue, New York NY 10001", "US EIN 22-2", "IO-1", "PO-1",
                "INV-2025-00000001", "Acme Foods", "Agency commission", "net of agency commission",
                "Delivered beyond booked budget - not billed", "price from 2025-08-03"]
    assert [r for r in required if r not in text] == [], text


def test_the_document_shows_no_balance_and_no_internal_wording():
    view = InvoiceView(_invoice(), _lines(), balance_of(Money(D(900), "USD"), []))
    text = _text(render_invoice_pdf(view, SELLER))
    for internal in ("rate card", "would-be value", "Balance due", "Over-delivery beyond budget", "Renamed Co"):
        assert internal not in text


def test_net_of_agency_commission_appears_only_with_a_commission_line():
    text = _text(render_invoice_pdf(InvoiceView(_invoice(commission="0"), _lines(commission=False), None), SELLER))
    assert "commission" not in text.lower()


def test_the_seller_recorded_at_issue_is_printed_not_the_one_configured_later():
    with_record = _text(render_invoice_pdf(InvoiceView(_invoice(), _lines(), None), LATER_SELLER))
    assert "Retail Media Co" in with_record and "Renamed Co" not in with_record
    before_records = _invoice(document={"bill_to_name": "Agency Inc."})
    assert "Renamed Co" in _text(render_invoice_pdf(InvoiceView(before_records, _lines(), None), LATER_SELLER))


def test_rendering_an_invoice_twice_gives_the_same_bytes():
    view = InvoiceView(_invoice(), _lines(), None)
    assert render_invoice_pdf(view, SELLER) == render_invoice_pdf(replace(view), SELLER)


def test_customer_words_for_lines():
    assert customer_description("usage", "Display - LI-9 (rate card from 2026-08-03)") == \
        "Display - LI-9 (price from 2026-08-03)"
    assert customer_description("over_delivery", "Over-delivery beyond budget: Display - LI-9") == \
        "Delivered beyond booked budget - not billed: Display - LI-9"
    assert kind_label("agency_commission") == "Agency commission"
    assert kind_label("some_new_kind") == "Some new kind"
    assert has_commission(["usage", "agency_commission"]) and not has_commission(["usage", "tax"])
