"""The memo as a PDF document (reportlab)."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from adjustment_svc.app.ports import MemoRecord

TITLES = {"credit": "CREDIT MEMO", "debit": "DEBIT MEMO"}


def _header(pdf: Canvas, memo: MemoRecord, top: float) -> float:
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, top, f"{TITLES[memo.kind]} {memo.memo_number}")
    pdf.setFont("Helvetica", 10)
    rows = [
        ("Date", memo.issued_at.date().isoformat()),
        ("Bill to", memo.bill_to_account_id),
        ("Original invoice", memo.invoice_number),
        ("Reason", memo.reason_code.replace("_", " ")),
        ("Dispute", memo.dispute_id or "-"),
        ("Requested by", memo.requested_by),
        ("Approved by", ", ".join(memo.approved_by)),
    ]
    y = top - 10 * mm
    for label, value in rows:
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.drawString(60 * mm, y, value)
        y -= 5.5 * mm
    return y - 4 * mm


def _lines(pdf: Canvas, memo: MemoRecord, y: float) -> float:
    pdf.setFont("Helvetica-Bold", 10)
    for x, text in ((20, "Invoice line"), (60, "Kind"), (95, "Description")):
        pdf.drawString(x * mm, y, text)
    pdf.drawRightString(190 * mm, y, f"Amount ({memo.currency})")
    pdf.setFont("Helvetica", 9)
    for line in memo.lines:
        y -= 6 * mm
        if y < 30 * mm:
            pdf.showPage()
            pdf.setFont("Helvetica", 9)
            y = 270 * mm
        pdf.drawString(20 * mm, y, str(line["invoice_line_id"] or "-")[:24])
        pdf.drawString(60 * mm, y, line["kind"])
        pdf.drawString(95 * mm, y, line["description"][:48])
        pdf.drawRightString(190 * mm, y, line["amount"])
    return y


def render_memo_pdf(memo: MemoRecord) -> bytes:
    """A one-document PDF: memo number, date, bill-to, original invoice, reason, lines and total."""
    buffer = BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{memo.memo_number} ({memo.invoice_number})")
    y = _header(pdf, memo, 275 * mm)
    y = _lines(pdf, memo, y)
    pdf.setFont("Helvetica-Bold", 11)
    label = "Total credited" if memo.kind == "credit" else "Total debited"
    pdf.drawString(95 * mm, y - 10 * mm, label)
    pdf.drawRightString(190 * mm, y - 10 * mm, f"{format(memo.total.amount, 'f')} {memo.currency}")
    pdf.setFont("Helvetica", 8)
    pdf.drawString(20 * mm, 15 * mm, f"This memo adjusts invoice {memo.invoice_number}. Memo id {memo.memo_id}.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
