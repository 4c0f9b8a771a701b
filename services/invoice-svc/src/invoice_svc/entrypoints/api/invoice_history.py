"""`GET /v1/invoices/{id}/history`: every change to an invoice, in order, each with its actor and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from invoice_svc.app.history import HistoryStep, history_of
from invoice_svc.entrypoints.api.deps import RequestUnit
from invoice_svc.entrypoints.api.invoices import money_str
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["invoices"])


class HistoryStepOut(BaseModel):
    at: datetime = Field(description="when it happened (the event's own time; the issue: when the run wrote it)")
    kind: str = Field(description="issued, credit_memo, debit_memo, payment, dispute_opened, dispute_resolved, "
                                  "dispute_withdrawn, dispute_reopened or void")
    actor: str = Field(description="who: the bill run's requester, a memo's requester (approvers in details), a "
                                   "dispute's opener or resolver, a payment's sending system, who voided it")
    amount: str | None = Field(description="the step's amount (memo total, payment, disputed or credit amount)")
    currency: str
    reference: str = Field(description="the bill run, memo, payment or dispute id")
    applied: bool = Field(description="false for a payment kept but not applied (another currency)")
    balance_due_after: str
    disputed_amount_after: str
    status_after: str
    details: dict[str, Any]

    @classmethod
    def of(cls, step: HistoryStep) -> HistoryStepOut:
        after = step.balance_after
        return cls(at=step.at, kind=step.kind, actor=step.actor,
                   amount=money_str(step.amount, step.currency) if step.amount is not None else None,
                   currency=step.currency, reference=step.reference, applied=step.applied,
                   balance_due_after=format(after.balance_due.amount, "f"),
                   disputed_amount_after=format(after.disputed_amount.amount, "f"), status_after=after.status,
                   details=dict(step.details))


class InvoiceHistoryOut(BaseModel):
    invoice_id: str
    invoice_number: str
    currency: str
    steps: list[HistoryStepOut]


@router.get("/v1/invoices/{invoice_id}/history", response_model=InvoiceHistoryOut,
            summary="Every change to an issued invoice, in order, with who made it and when",
            description="Its issue (the bill run and who requested it), every change to its balance with its cause "
                        "(dispute opened, resolved, withdrawn or reopened; credit or debit memo with requester and "
                        "approvers; payment with the sending system and payment id) and its void (who and why), "
                        "each with the balance after it. 409 for a draft.")
async def get_invoice_history(unit: RequestUnit, _p: CurrentPrincipal, invoice_id: str) -> InvoiceHistoryOut:
    history = await history_of(unit, invoice_id)
    invoice = history.invoice
    assert invoice.invoice_number is not None, "history_of refuses drafts"
    return InvoiceHistoryOut(invoice_id=invoice.invoice_id, invoice_number=invoice.invoice_number,
                             currency=invoice.currency, steps=[HistoryStepOut.of(s) for s in history.steps])
