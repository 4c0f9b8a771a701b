"""DisputeOpened: the disputed line amounts leave the lines' headroom while the dispute is open."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps, dispute_key, invoice_key
from mediabill_common.events.catalog import DisputeOpened
from mediabill_common.events.envelope import Envelope


async def when_dispute_opened_hold_lines(session: AsyncSession, envelope: Envelope, payload: DisputeOpened,
                                         deps: HandlerDeps) -> None:
    invoices = InvoiceReadModel(session)
    if not await invoices.exists(payload.invoice_id):
        await deps.parking.park(session, envelope, waiting_for=invoice_key(payload.invoice_id))
        return
    await invoices.record_dispute_opened(payload)
    await deps.release(session, dispute_key(payload.dispute_id))
