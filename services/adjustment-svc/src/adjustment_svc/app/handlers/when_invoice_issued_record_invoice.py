"""InvoiceIssued: add the invoice to the read model, then apply what was waiting for it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps, invoice_key
from mediabill_common.events.catalog import InvoiceIssued
from mediabill_common.events.envelope import Envelope


async def when_invoice_issued_record_invoice(session: AsyncSession, envelope: Envelope, payload: InvoiceIssued,
                                             deps: HandlerDeps) -> None:
    await InvoiceReadModel(session).record_issued(payload)
    await deps.release(session, invoice_key(payload.invoice_id))
