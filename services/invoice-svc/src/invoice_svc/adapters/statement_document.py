"""The statement of account as a PDF (reportlab): the seller, the account (name, postal address, tax id), the
balance due per currency as of the date (overdue and disputed beside it), the open invoices with what is left on
each, and the memos and payments that moved them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from invoice_svc.app.documents import Seller
from invoice_svc.app.statements import StatementView
from mediabill_common.document_text import kind_label
from mediabill_common.money import round_money

_TOP, _BOTTOM = 280 * mm, 20 * mm


def _money(value: Decimal, currency: str) -> str:
    return format(round_money(value, currency), ",f")


class _Cursor:
    def __init__(self, pdf: Canvas) -> None:
        self.pdf, self.y = pdf, _TOP

    def row(self, cells: Sequence[tuple[float, str, bool]], *, bold: bool = False, size: float = 9) -> None:
        if self.y < _BOTTOM:
            self.pdf.showPage()
            self.y = _TOP
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        for x, text, right in cells:
            (self.pdf.drawRightString if right else self.pdf.drawString)(x * mm, self.y, text)
        self.y -= 5 * mm


def render_statement_pdf(view: StatementView, seller: Seller) -> bytes:
    """The statement as PDF bytes."""
    statement = view.statement
    buffer = BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(f"Statement of account {view.account_id} as of {statement.as_of.isoformat()}")
    c = _Cursor(pdf)
    c.row([(15, "STATEMENT OF ACCOUNT", False), (195, f"as of {statement.as_of.isoformat()}", True)], bold=True,
          size=14)
    for text in (seller.name, seller.address, f"Tax registration id: {seller.tax_registration_id}"):
        c.row([(15, text, False)], size=8)
    c.y -= 3 * mm
    c.row([(15, "Account", False)], bold=True)
    for text in (view.account_name, view.postal_address or "", f"Account {view.account_id}",
                 f"Tax registration id: {view.tax_registration_id}" if view.tax_registration_id else ""):
        if text:
            c.row([(15, text, False)])
    c.y -= 3 * mm
    for t in statement.totals or []:
        c.row([(15, f"Balance due ({t.currency})", False), (195, _money(t.balance_due, t.currency), True)],
              bold=True, size=11)
        c.row([(15, f"of which overdue {_money(t.overdue, t.currency)}; in dispute {_money(t.disputed, t.currency)}"
                    + (f"; credit on account {_money(t.overpaid, t.currency)}" if t.overpaid else ""), False)],
              size=8)
    if not statement.totals:
        c.row([(15, "Nothing billed to this account by this date.", False)])
    c.y -= 3 * mm
    c.row([(15, "Open invoices", False)], bold=True, size=10)
    c.row([(15, "Invoice", False), (55, "Issued", False), (78, "Due", False), (140, "Total", True),
           (168, "Balance due", True), (195, "Days overdue", True)], bold=True)
    for o in statement.open_invoices:
        inv = o.invoice
        c.row([(15, inv.invoice_number, False), (55, inv.issue_date.isoformat(), False),
               (78, inv.due_date.isoformat(), False), (140, _money(inv.total, inv.currency), True),
               (168, _money(o.balance.balance_due.amount, inv.currency), True), (195, str(o.days_overdue), True)])
    c.y -= 3 * mm
    c.row([(15, "Memos and payments", False)], bold=True, size=10)
    c.row([(15, "Date", False), (40, "What", False), (80, "Reference", False), (130, "Invoice", False),
           (195, "Amount", True)], bold=True)
    for a in statement.activity:
        c.row([(15, a.at.date().isoformat(), False), (40, kind_label(a.kind), False), (80, a.reference[:28], False),
               (130, a.invoice_number, False), (195, f"{_money(a.amount, a.currency)} {a.currency}", True)])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
