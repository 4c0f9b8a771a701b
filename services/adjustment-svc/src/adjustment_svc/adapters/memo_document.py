"""The memo as a PDF document (reportlab), and the archive of issued memos' documents.

A memo's document is what the bill-to's accounts-payable books against the invoice: the memo number and date, the
bill-to (name, postal address, tax registration id), the original invoice number, IO and PO, the reason in words,
each line by the invoice line it adjusts (its line number and description, as the invoice printed them) and the
total. No internal ids or staff identities. It is rendered once, in the transaction that issues the memo, stored
with its SHA-256 and served byte for byte afterwards; rendered `invariant`, so the same memo gives the same bytes.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import memo_documents
from adjustment_svc.app.ports import MemoFacts, MemoRecord, StoredMemoDocument
from mediabill_common.document_text import code_label, customer_description, kind_label
from mediabill_common.money import round_money

TITLES = {"credit": "CREDIT MEMO", "debit": "DEBIT MEMO"}


def _money(value: str | Decimal, currency: str) -> str:
    return format(round_money(Decimal(value), currency), ",f")


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else []) or [""]


def _header(pdf: Canvas, memo: MemoRecord, facts: MemoFacts, top: float) -> float:
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, top, f"{TITLES[memo.kind]} {memo.memo_number}")
    pdf.setFont("Helvetica", 10)
    bill_to = [facts.bill_to_name, *(_wrap(facts.bill_to_address, 60) if facts.bill_to_address else []),
               *([f"Tax registration id: {facts.bill_to_tax_registration_id}"]
                 if facts.bill_to_tax_registration_id else []), f"Account {memo.bill_to_account_id}"]
    rows = [("Date", memo.issued_at.date().isoformat()), ("Original invoice", memo.invoice_number),
            ("IO / contract number", facts.contract_id or "self-serve (account terms)"),
            ("PO number", facts.po_number or "-"), ("Reason", code_label(memo.reason_code)),
            ("Currency", memo.currency)]
    y = top - 10 * mm
    for label, value in rows:
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.drawString(65 * mm, y, value[:70])
        y -= 5.5 * mm
    y -= 2 * mm
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(20 * mm, y, "Bill to")
    pdf.setFont("Helvetica", 10)
    for text in bill_to:
        y -= 5 * mm
        pdf.drawString(20 * mm, y, text[:80])
    return y - 9 * mm


def _line_texts(line: dict, facts: MemoFacts) -> tuple[str, str, str]:
    """(invoice line, what, description) of a memo line: the invoice line's number and description when it names
    one, else (a derived discount, commission or tax share) its own kind and description."""
    ref = facts.lines.get(line["invoice_line_id"] or "")
    if ref is not None and ref.kind == line["kind"]:
        return f"Line {ref.line_no}", kind_label(ref.kind), customer_description(ref.kind, ref.description)
    number = f"Line {ref.line_no}" if ref is not None else "-"
    return number, kind_label(line["kind"]), customer_description(line["kind"], line["description"])


def _lines(pdf: Canvas, memo: MemoRecord, facts: MemoFacts, y: float) -> float:
    pdf.setFont("Helvetica-Bold", 10)
    for x, text in ((20, "Invoice line"), (45, "What"), (85, "Description")):
        pdf.drawString(x * mm, y, text)
    pdf.drawRightString(190 * mm, y, f"Amount ({memo.currency})")
    pdf.setFont("Helvetica", 9)
    for line in memo.lines:
        number, what, description = _line_texts(line, facts)
        wrapped = _wrap(description, 52)
        y -= 6 * mm
        if y - 4.5 * mm * len(wrapped) < 30 * mm:
            pdf.showPage()
            pdf.setFont("Helvetica", 9)
            y = 270 * mm
        pdf.drawString(20 * mm, y, number)
        pdf.drawString(45 * mm, y, what[:24])
        pdf.drawRightString(190 * mm, y, _money(line["amount"], memo.currency))
        for i, text in enumerate(wrapped):
            pdf.drawString(85 * mm, y - i * 4.5 * mm, text)
        y -= 4.5 * mm * (len(wrapped) - 1)
    return y


def render_memo_pdf(memo: MemoRecord, facts: MemoFacts) -> bytes:
    """The memo document as PDF bytes (the same memo and facts always give the same bytes)."""
    buffer = BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"{memo.memo_number} ({memo.invoice_number})")
    y = _header(pdf, memo, facts, 275 * mm)
    y = _lines(pdf, memo, facts, y)
    pdf.setFont("Helvetica-Bold", 11)
    label = "Total credited" if memo.kind == "credit" else "Total debited"
    pdf.drawString(85 * mm, y - 10 * mm, label)
    pdf.drawRightString(190 * mm, y - 10 * mm, f"{_money(memo.total.amount, memo.currency)} {memo.currency}")
    pdf.setFont("Helvetica", 8)
    pdf.drawString(20 * mm, 15 * mm, f"This memo adjusts invoice {memo.invoice_number}"
                                     + (f", PO {facts.po_number}" if facts.po_number else "") + ".")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class MemoDocumentArchive:
    """app.ports.MemoDocuments over one session: renders a memo's document and keeps it once."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def keep(self, memo: MemoRecord, facts: MemoFacts) -> StoredMemoDocument:
        pdf = render_memo_pdf(memo, facts)
        await self._s.execute(insert(memo_documents).values(
            memo_id=memo.memo_id, sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf)
            .on_conflict_do_nothing(index_elements=[memo_documents.c.memo_id]))
        stored = await self.get(memo.memo_id)
        assert stored is not None, "inserted or already there in this transaction"
        return stored

    async def get(self, memo_id: str) -> StoredMemoDocument | None:
        row = (await self._s.execute(select(memo_documents).where(memo_documents.c.memo_id == memo_id))).first()
        return None if row is None else StoredMemoDocument(row.memo_id, row.sha256, row.pdf)
