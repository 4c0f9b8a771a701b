"""`/v1/invoices/{id}/headroom`: what each line of an invoice may still be credited (rule 18)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from mediabill_common.events.types import DecimalStr
from mediabill_common.money import round_money
from mediabill_common.web.deps import Session
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])


class LineHeadroom(BaseModel):
    invoice_line_id: str
    kind: str
    amount: DecimalStr
    credited: DecimalStr
    debited: DecimalStr
    pending_credit: DecimalStr
    disputed: DecimalStr = Field(description="under open disputes")
    headroom: DecimalStr = Field(description="amount - credited - pending_credit - disputed")


class InvoiceHeadroom(BaseModel):
    invoice_id: str
    invoice_number: str
    status: str
    currency: str
    lines: list[LineHeadroom]


@router.get("/{invoice_id}/headroom", response_model=InvoiceHeadroom,
            summary="Per line: credited, debited, pending credit, disputed and the headroom left")
async def invoice_headroom(invoice_id: str, session: Session, _principal: CurrentPrincipal) -> InvoiceHeadroom:
    async with session.begin():
        invoices = InvoiceReadModel(session)
        invoice = await invoices.get(invoice_id)
        if invoice is None:
            raise NotFound(f"invoice {invoice_id} is not known to adjustment-svc")
        exposures = await invoices.exposures(invoice, excluding_dispute=None)
    money = lambda v: round_money(v, invoice.currency)  # noqa: E731
    return InvoiceHeadroom(
        invoice_id=invoice.invoice_id, invoice_number=invoice.invoice_number, status=invoice.status,
        currency=invoice.currency,
        lines=[LineHeadroom(invoice_line_id=x.invoice_line_id, kind=x.kind, amount=money(x.amount),
                            credited=exposures[x.invoice_line_id].credited.rounded().amount,
                            debited=money(invoice.debited.get(x.invoice_line_id, 0)),
                            pending_credit=exposures[x.invoice_line_id].pending_credit.rounded().amount,
                            disputed=exposures[x.invoice_line_id].disputed.rounded().amount,
                            headroom=exposures[x.invoice_line_id].headroom.rounded().amount)
               for x in invoice.lines])
