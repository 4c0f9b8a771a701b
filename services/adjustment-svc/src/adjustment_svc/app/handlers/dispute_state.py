"""Shared by the dispute handlers: find the dispute, or park the event until its invoice and dispute arrive."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.invoice_repository import DisputeView, InvoiceReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps, dispute_key, invoice_key
from mediabill_common.events.envelope import Envelope


async def known_dispute_or_park(session: AsyncSession, envelope: Envelope, invoice_id: str, dispute_id: str,
                                deps: HandlerDeps) -> DisputeView | None:
    invoices = InvoiceReadModel(session)
    if not await invoices.exists(invoice_id):
        await deps.parking.park(session, envelope, waiting_for=invoice_key(invoice_id))
        return None
    dispute = await invoices.get_dispute(dispute_id)
    if dispute is None:
        await deps.parking.park(session, envelope, waiting_for=dispute_key(dispute_id))
    return dispute
