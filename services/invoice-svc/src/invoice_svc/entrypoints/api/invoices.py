"""Invoices (drafts included): list, one with lines and balance, the PDF document, void (rule 12)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from invoice_svc.adapters.document_repository import DocumentRepository
from invoice_svc.adapters.invoice_document import render_invoice_pdf
from invoice_svc.adapters.invoice_repository import InvoiceRepository
from invoice_svc.app.documents import DocumentKeeper, InvoiceDocument, InvoiceRenderer, invoice_document
from invoice_svc.app.invoices import InvoiceView, invoice_view, void_invoice
from invoice_svc.app.stored import InvoiceFilter, InvoiceHeader, StoredDocument, StoredLine
from invoice_svc.domain.billing.balance import InvoiceBalance
from invoice_svc.entrypoints.api.deps import InvoiceCtx, RequestUnit
from mediabill_common.auth.principal import Principal
from mediabill_common.events.catalog import InvoiceLine
from mediabill_common.events.types import Period
from mediabill_common.money import round_money
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["invoices"])
Manager = Annotated[Principal, Depends(require_roles("billing-manager"))]
IfMatch = Annotated[str | None, Header(description="ETag from GET; 412 when the invoice changed since")]
_MONEY = ("subtotal", "discount_total", "commission_total", "tax_total", "total")


def money_str(value: Decimal | None, currency: str) -> str | None:
    """A stored amount at the currency's scale (a rate with more decimals keeps them)."""
    if value is None:
        return None
    rounded = round_money(value, currency)
    return format(rounded if rounded == value else value.normalize(), "f")


class BalanceOut(BaseModel):
    total: str
    credited: str
    debited: str
    paid: str
    balance_due: str
    overpaid: str
    disputed_amount: str
    status: Literal["issued", "partially_paid", "paid", "void"]

    @classmethod
    def of(cls, b: InvoiceBalance) -> BalanceOut:
        return cls(**{k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in b.figures().items()})


class InvoiceSummary(BaseModel):
    invoice_id: str
    invoice_number: str | None = Field(description="INV-YYYY-NNNNNNNN; null for a draft")
    status: Literal["draft", "issued", "void"]
    bill_to_account_id: str
    account_id: str = Field(description="the advertiser")
    contract_id: str | None
    po_number: str | None
    period: str
    period_start: date
    period_end: date
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int | None
    currency: str
    subtotal: str
    discount_total: str
    commission_total: str
    tax_total: str
    total: str
    adjustment_only: bool
    bill_run_id: str
    balance_due: str | None
    balance_status: str | None
    created_at: datetime

    @staticmethod
    def fields_of(header: InvoiceHeader) -> dict[str, Any]:
        """A summary's fields (validated by whoever builds the model: one page at a time)."""
        fields = {k: getattr(header, k) for k in _SUMMARY_COPIED}
        fields |= {k: money_str(getattr(header, k), header.currency) for k in _MONEY}
        fields["balance_due"] = money_str(header.balance_due, header.currency) if header.status != "draft" else None
        return fields


# The fields a summary takes from the header as they are (money is rendered at the currency's scale).
_SUMMARY_COPIED = tuple(k for k in InvoiceSummary.model_fields if k not in _MONEY and k != "balance_due")
_SUMMARY_PAGE = Page[InvoiceSummary]


class InvoiceOut(InvoiceSummary):
    model_config = ConfigDict(json_schema_extra={"description": "an invoice with its lines and its balance"})
    lines: list[InvoiceLine]
    balance: BalanceOut | None = Field(description="null for a draft")
    exceptions: list[dict] = Field(description="what pricing found (why a draft was not issued)")
    document: dict = Field(description="names printed on the document (bill-to, advertiser, campaigns)")
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    document_sha256: str | None = Field(default=None, description="SHA-256 (hex) of the issued PDF, which never "
                                                                  "changes (GET .../document); null for a draft, "
                                                                  "and until the document is stored (by the worker "
                                                                  "after the bill run, or on the first download)")

    @classmethod
    def of(cls, view: InvoiceView, document_sha256: str | None = None) -> InvoiceOut:
        invoice = view.invoice
        lines = [InvoiceLine(**_line_fields(ln, invoice.currency)) for ln in view.lines]
        return cls(**InvoiceSummary.fields_of(invoice), lines=lines,
                   balance=BalanceOut.of(view.balance) if view.balance else None,
                   exceptions=invoice.exceptions or [], document=invoice.document or {},
                   voided_at=invoice.voided_at, voided_by=invoice.voided_by, void_reason=invoice.void_reason,
                   document_sha256=document_sha256)


def _line_fields(ln: StoredLine, currency: str) -> dict[str, Any]:
    fields = {k: getattr(ln, k) for k in InvoiceLine.model_fields}
    fields |= {"amount": round_money(ln.amount, currency), "unit_price": money_str(ln.unit_price, currency),
               "value": None if ln.value is None else round_money(ln.value, currency)}
    return fields


class VoidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "billed to the wrong "
                                                                                        "agency"}]})
    reason: str = Field(min_length=3, max_length=2000, description="why the invoice is voided (audited)")


@router.get("/v1/invoices", response_model=Page[InvoiceSummary], summary="Invoices (drafts included)")
async def list_invoices(session: Session, _p: CurrentPrincipal,
                        invoice_number: Annotated[str | None, Query(
                            max_length=40, description="the invoice with this number, e.g. INV-2026-00000042 "
                                                       "(case and surrounding spaces ignored)")] = None,
                        bill_to_account_id: str | None = None,
                        account_id: Annotated[str | None, Query(description="the advertiser")] = None,
                        po_number: Annotated[str | None, Query(description="the purchase order, exactly")] = None,
                        contract_id: str | None = None, period: Period | None = None,
                        status: Literal["draft", "issued", "void"] | None = None,
                        limit: Limit = 50, cursor: Cursor = None) -> Page[InvoiceSummary]:
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        try:
            after = (datetime.fromisoformat(position["at"]), str(position["id"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page") from exc
    number = invoice_number.strip().upper() if invoice_number is not None else None
    headers = await InvoiceRepository(session).page(InvoiceFilter(
        invoice_number=number, bill_to_account_id=bill_to_account_id, account_id=account_id, contract_id=contract_id,
        po_number=po_number, period=period, status=status),
        limit=limit, after=after)
    more, headers = len(headers) > limit, headers[:limit]
    next_cursor = encode_cursor({"at": headers[-1].created_at.isoformat(), "id": headers[-1].invoice_id}) \
        if more and headers else None
    # One validation for the page (in pydantic-core) rather than one model built in Python per invoice.
    return _SUMMARY_PAGE.model_validate({"items": [InvoiceSummary.fields_of(h) for h in headers],
                                         "next_cursor": next_cursor})


async def invoice_renderer(ctx: InvoiceCtx) -> InvoiceRenderer:
    """Draws an invoice as issued (with the seller it recorded at issue, else the configured one)."""
    seller = ctx.settings.seller()
    return lambda view: render_invoice_pdf(view, seller)


Renderer = Annotated[InvoiceRenderer, Depends(invoice_renderer)]


async def document_keeper(ctx: InvoiceCtx) -> DocumentKeeper:
    """Keeps a first rendering in a write transaction of its own (a GET's session is read-only)."""
    async def keep(invoice_id: str, pdf: bytes, sha256: str) -> StoredDocument:
        async with ctx.sessions() as session, session.begin():
            return await DocumentRepository(session).keep_first(invoice_id, pdf, sha256)
    return keep


Keeper = Annotated[DocumentKeeper, Depends(document_keeper)]


async def _document(unit: RequestUnit, render: InvoiceRenderer, keep: DocumentKeeper,
                    invoice_id: str) -> InvoiceDocument:
    return await invoice_document(unit, invoice_id, render, keep)


@router.get("/v1/invoices/{invoice_id}", response_model=InvoiceOut, summary="An invoice with lines and balance")
async def get_invoice(unit: RequestUnit, _p: CurrentPrincipal, invoice_id: str, response: Response) -> InvoiceOut:
    # A read of the invoice stays a read: the worker renders the document after the run (or its first download does).
    view = await invoice_view(unit, invoice_id)
    stored = await unit.documents.get(invoice_id) if view.invoice.status != "draft" else None
    set_etag(response, view.invoice.version)
    return InvoiceOut.of(view, stored.sha256 if stored is not None else None)


@router.get("/v1/invoices/{invoice_id}/document", response_class=Response,
            summary="The invoice as PDF: for an issued invoice the document as issued, byte for byte",
            description="An issued invoice's PDF is rendered once and stored; every download returns those bytes "
                        "(`ETag` and `Repr-Digest` carry their SHA-256, as `document_sha256` does in the "
                        "invoice's JSON). It shows no balance: see the statement of account. A draft's is rendered "
                        "on each request.",
            responses={200: {"content": {"application/pdf": {}}}})
async def get_invoice_document(unit: RequestUnit, render: Renderer, keep: Keeper, _p: CurrentPrincipal,
                               invoice_id: str) -> Response:
    document = await _document(unit, render, keep, invoice_id)
    invoice = document.view.invoice
    name = invoice.invoice_number or f"draft-{invoice_id}"
    return pdf_response(document.pdf, name, document.sha256)


def pdf_response(pdf: bytes, name: str, sha256: str | None) -> Response:
    """A PDF inline; a stored document's SHA-256 as its ETag and RFC 9530 Repr-Digest."""
    headers = {"Content-Disposition": f'inline; filename="{name}.pdf"'}
    if sha256 is not None:
        headers |= {"ETag": f'"{sha256}"',
                    "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"}
    else:
        headers["Cache-Control"] = "no-store"
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/v1/invoices/{invoice_id}/void", response_model=InvoiceOut,
             summary="Void an invoice on which nothing is paid, credited, debited or disputed (billing-manager)")
async def void(unit: RequestUnit, principal: Manager, invoice_id: str, body: VoidRequest, response: Response,
               if_match: IfMatch = None) -> InvoiceOut:
    async with unit.session.begin():
        view = await void_invoice(unit, invoice_id, reason=body.reason, actor=principal.sub, if_match=if_match)
        stored = await unit.documents.get(invoice_id)
    set_etag(response, view.invoice.version)
    return InvoiceOut.of(view, stored.sha256 if stored is not None else None)
