"""InvoiceVoided: no further memo may be requested or issued on the invoice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps, invoice_key
from mediabill_common.events.catalog import InvoiceVoided
from mediabill_common.events.envelope import Envelope


async def when_invoice_voided_close_invoice(session: AsyncSession, envelope: Envelope, payload: InvoiceVoided,
                                            deps: HandlerDeps) -> None:
    invoices = InvoiceReadModel(session)
    if not await invoices.exists(payload.invoice_id):
        await deps.parking.park(session, envelope, waiting_for=invoice_key(payload.invoice_id))
        return
    await invoices.mark_void(payload.invoice_id, payload.voided_at)
