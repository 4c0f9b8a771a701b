"""`GET /v1/accounts/{id}/statement`: a bill-to account's statement of account as of a date, as JSON or PDF.

The PDF comes with `Accept: application/pdf` on the statement, or at `.../statement/document` (as an invoice's and a
memo's PDFs are served). A statement is computed when asked for: it is not an issued document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from invoice_svc.adapters.statement_document import render_statement_pdf
from invoice_svc.app.statements import StatementView, statement_of
from invoice_svc.entrypoints.api.deps import InvoiceCtx, RequestUnit
from invoice_svc.entrypoints.api.invoices import money_str
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["statements"])
AsOf = Annotated[date | None, Query(description="the statement's date (default: today, UTC): memos and payments "
                                                "by the end of that day count")]
_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}, "application/pdf": {}}}}


class OpenInvoiceOut(BaseModel):
    invoice_id: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    total: str
    credited: str
    debited: str
    paid: str
    balance_due: str
    disputed_amount: str
    days_overdue: int


class ActivityOut(BaseModel):
    at: datetime
    kind: str = Field(description="credit_memo, debit_memo or payment")
    reference: str = Field(description="memo number or payment id")
    invoice_number: str
    amount: str
    currency: str


class TotalsOut(BaseModel):
    currency: str
    balance_due: str
    overdue: str
    disputed: str
    overpaid: str = Field(description="credit the account holds (paid beyond what was due)")


class StatementOut(BaseModel):
    account_id: str
    account_name: str
    postal_address: str | None
    tax_registration_id: str | None
    as_of: date
    totals: list[TotalsOut] = Field(description="the balance due per currency")
    open_invoices: list[OpenInvoiceOut]
    activity: list[ActivityOut] = Field(description="memos and payments on the account's invoices by the date")

    @classmethod
    def of(cls, view: StatementView) -> StatementOut:
        s = view.statement

        def m(value: Decimal, currency: str) -> str:
            return money_str(value, currency) or "0"

        return cls(
            account_id=view.account_id, account_name=view.account_name, postal_address=view.postal_address,
            tax_registration_id=view.tax_registration_id, as_of=s.as_of,
            totals=[TotalsOut(currency=t.currency, balance_due=m(t.balance_due, t.currency),
                              overdue=m(t.overdue, t.currency), disputed=m(t.disputed, t.currency),
                              overpaid=m(t.overpaid, t.currency)) for t in s.totals],
            open_invoices=[OpenInvoiceOut(
                invoice_id=o.invoice.invoice_id, invoice_number=o.invoice.invoice_number,
                issue_date=o.invoice.issue_date, due_date=o.invoice.due_date, currency=o.invoice.currency,
                total=m(o.invoice.total, o.invoice.currency),
                credited=m(o.balance.credited.amount, o.invoice.currency),
                debited=m(o.balance.debited.amount, o.invoice.currency),
                paid=m(o.balance.paid.amount, o.invoice.currency),
                balance_due=m(o.balance.balance_due.amount, o.invoice.currency),
                disputed_amount=m(o.balance.disputed_amount.amount, o.invoice.currency), days_overdue=o.days_overdue)
                for o in s.open_invoices],
            activity=[ActivityOut(at=a.at, kind=a.kind, reference=a.reference, invoice_number=a.invoice_number,
                                  amount=m(a.amount, a.currency), currency=a.currency) for a in s.activity])


async def _statement(unit: RequestUnit, account_id: str, as_of: date | None) -> StatementView:
    return await statement_of(unit, account_id, as_of or datetime.now(UTC).date())


def _pdf(ctx: InvoiceCtx, view: StatementView) -> Response:
    name = f"statement-{view.account_id}-{view.statement.as_of.isoformat()}"
    return Response(render_statement_pdf(view, ctx.settings.seller()), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-store"})


@router.get("/v1/accounts/{account_id}/statement", response_model=StatementOut, responses=_PDF,
            summary="A bill-to account's statement of account as of a date (JSON, or PDF with Accept)",
            description="Open invoices with what is left on each, the memos and payments that moved them and the "
                        "balance due per currency, as of the end of `as_of` (UTC). `Accept: application/pdf` "
                        "answers the PDF (also at `.../statement/document`). 404 for an account neither "
                        "configured nor ever billed.")
async def get_statement(ctx: InvoiceCtx, unit: RequestUnit, _p: CurrentPrincipal, account_id: str,
                        as_of: AsOf = None, accept: Annotated[str | None, Header()] = None) -> Response | StatementOut:
    view = await _statement(unit, account_id, as_of)
    if accept is not None and "application/pdf" in accept and "application/json" not in accept:
        return _pdf(ctx, view)
    return StatementOut.of(view)


@router.get("/v1/accounts/{account_id}/statement/document", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}},
            summary="The statement of account as PDF")
async def get_statement_document(ctx: InvoiceCtx, unit: RequestUnit, _p: CurrentPrincipal, account_id: str,
                                 as_of: AsOf = None) -> Response:
    return _pdf(ctx, await _statement(unit, account_id, as_of))
