"""The invoice as a PDF (reportlab): what an agency needs to pay it under the IAB/4A's terms.

Invoice number and date, the seller (name, address, tax registration id), bill-to (name, postal address, tax
registration id) and remit-to, IO/contract and PO numbers, advertiser and campaigns, service period, every line in
the customer's words with quantity, unit, rate and amount, discount, agency commission (when there is one), tax,
total, due date and payment terms. It shows the invoice as issued, never a balance: it is rendered once and stored
(app/documents.py); what is still due is on the statement of account. Rendered `invariant` (no creation time or
random id in the file), so the same invoice always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from invoice_svc.app.documents import Seller
from invoice_svc.app.invoices import InvoiceView
from invoice_svc.app.stored import Invoice, StoredLine
from mediabill_common.document_text import customer_description, has_commission
from mediabill_common.money import round_money

_TOP = 280 * mm
_BOTTOM = 22 * mm


def _money(value: Any, currency: str) -> str:
    return format(round_money(Decimal(value), currency), ",f")


class _Page:
    """A canvas with a cursor that starts a new page when the bottom is reached."""

    def __init__(self, pdf: Canvas, footer: str) -> None:
        self.pdf, self.footer, self.y = pdf, footer, _TOP

    def need(self, height: float) -> None:
        if self.y - height < _BOTTOM:
            self._footer()
            self.pdf.showPage()
            self.y = _TOP

    def _footer(self) -> None:
        self.pdf.setFont("Helvetica", 7)
        self.pdf.drawString(15 * mm, 12 * mm, self.footer)
        self.pdf.drawRightString(195 * mm, 12 * mm, f"Page {self.pdf.getPageNumber()}")

    def text(self, x: float, value: str, *, font: str = "Helvetica", size: float = 9, right: bool = False) -> None:
        self.pdf.setFont(font, size)
        (self.pdf.drawRightString if right else self.pdf.drawString)(x * mm, self.y, value)

    def down(self, step: float) -> None:
        self.y -= step * mm

    def finish(self) -> None:
        self._footer()
        self.pdf.showPage()


def _header(page: _Page, inv: Invoice, seller: Seller) -> None:
    number = inv.invoice_number or "DRAFT (not a demand for payment; no number yet)"
    page.text(15, "INVOICE", font="Helvetica-Bold", size=18)
    page.text(195, number, font="Helvetica-Bold", size=11, right=True)
    page.down(6)
    for text in [seller.name, *_wrap(seller.address, 100), f"Tax registration id: {seller.tax_registration_id}"]:
        page.text(15, text, size=8)
        page.down(4)
    page.down(3)
    doc = inv.document or {}
    terms = inv.payment_terms_days
    facts = [
        ("Invoice number", inv.invoice_number or "-"), ("Invoice date", _date(inv.issue_date)),
        ("Due date", _date(inv.due_date)), ("Payment terms", f"Net {terms} days" if terms is not None else "-"),
        ("Service period", f"{inv.period} ({_date(inv.period_start)} to {_date(inv.period_end)})"),
        ("IO / contract number", inv.contract_id or "self-serve (account terms)"),
        ("PO number", inv.po_number or "-"), ("Advertiser", f"{doc.get('advertiser_name') or inv.account_id}"),
        ("Campaigns", ", ".join(doc.get("campaigns") or []) or "-"), ("Currency", inv.currency),
    ]
    for label, value in facts:
        page.text(15, f"{label}:", font="Helvetica-Bold")
        page.text(55, value[:95])
        page.down(5)
    page.down(3)
    page.text(15, "Bill to", font="Helvetica-Bold", size=10)
    page.text(110, "Remit to", font="Helvetica-Bold", size=10)
    page.down(5)
    left = _bill_to(inv)
    right = _wrap(seller.remit_to, 48) + _wrap(seller.bank, 48)
    for i in range(max(len(left), len(right))):
        page.text(15, left[i][:50] if i < len(left) else "")
        page.text(110, right[i] if i < len(right) else "")
        page.down(4.5)
    page.down(4)


def _bill_to(inv: Invoice) -> list[str]:
    doc = inv.document or {}
    tax_id = doc.get("bill_to_tax_registration_id")
    return [doc.get("bill_to_name") or inv.bill_to_account_id,
            *(_wrap(doc["bill_to_address"], 50) if doc.get("bill_to_address") else []),
            *([f"Tax registration id: {tax_id}"] if tax_id else []),
            f"Account {inv.bill_to_account_id}", *([doc["bill_to_contact"]] if doc.get("bill_to_contact") else [])]


_COLUMNS = ((15, "Description", False), (118, "Quantity", True), (140, "Unit", False), (172, "Rate", True),
            (195, "Amount", True))


def _lines(page: _Page, lines: Sequence[StoredLine], currency: str) -> None:
    def heading() -> None:
        for x, label, right in _COLUMNS:
            page.text(x, label, font="Helvetica-Bold", right=right)
        page.down(5)

    heading()
    for ln in lines:
        description = _wrap(customer_description(ln.kind, ln.description), 62)
        page.need(4.2 * len(description) + 2)
        if page.y == _TOP:
            heading()
        rate = "-" if ln.kind in ("discount", "agency_commission", "tax", "prior_period_adjustment") else \
            f"{_money(ln.unit_price, currency)}" + (f" / {ln.price_base_quantity:,}"
                                                        if ln.price_base_quantity != 1 else "")
        page.text(15, description[0], size=8)
        page.text(118, f"{ln.quantity:,}", size=8, right=True)
        page.text(140, (ln.unit or "-")[:20], size=8)
        page.text(172, rate, size=8, right=True)
        page.text(195, _money(ln.amount, currency), size=8, right=True)
        for more in description[1:]:
            page.down(4.2)
            page.text(17, more, size=8)
        page.down(4.8)


def _totals(page: _Page, inv: Invoice, lines: Sequence[StoredLine]) -> None:
    currency = inv.currency
    commission = has_commission(ln.kind for ln in lines)
    rows = [("Subtotal (gross)", inv.subtotal), ("Discount", inv.discount_total),
            *([("Agency commission", inv.commission_total)] if commission else []), ("Tax", inv.tax_total)]
    page.need(40)
    page.down(3)
    for label, value in rows:
        page.text(150, label, right=True)
        page.text(195, _money(value, currency), right=True)
        page.down(5)
    page.text(150, f"Total due ({currency})", font="Helvetica-Bold", size=11, right=True)
    page.text(195, _money(inv.total, currency), font="Helvetica-Bold", size=11, right=True)
    page.down(6)
    page.text(15, f"Please pay {_money(inv.total, currency)} {currency} by {_date(inv.due_date)} quoting "
                  f"invoice {inv.invoice_number or '(draft)'}" + (f" and PO {inv.po_number}"
                                                                       if inv.po_number else "") + ".", size=8)
    page.down(4.5)
    page.text(15, "Billed on actual delivery per the IAB/4A's Standard Terms and Conditions for Internet "
                  "Advertising" + ("; amounts net of agency commission." if commission else "."), size=7)


def render_invoice_pdf(view: InvoiceView, seller: Seller) -> bytes:
    """The invoice document as issued (no balance: that is the statement's), as PDF bytes; `seller` is the one
    the invoice recorded at issue, else this one."""
    invoice, lines = view.invoice, view.lines
    seller = Seller.of_record((invoice.document or {}).get("seller"), seller)
    buffer = BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=True)
    title = invoice.invoice_number or f"Draft invoice {invoice.invoice_id}"
    pdf.setTitle(title)
    pdf.setAuthor(seller.name)
    page = _Page(pdf, f"{title} - {invoice.bill_to_account_id} - {invoice.period}")
    _header(page, invoice, seller)
    _lines(page, lines, invoice.currency)
    _totals(page, invoice, lines)
    page.finish()
    pdf.save()
    return buffer.getvalue()


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else "-"


def _wrap(text: str, width: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else []) or [""]
