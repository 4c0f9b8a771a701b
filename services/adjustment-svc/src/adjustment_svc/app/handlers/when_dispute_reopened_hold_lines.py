"""DisputeReopened (its settling credit was rejected): the disputed amounts are held again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.invoice_repository import InvoiceReadModel
from adjustment_svc.app.handlers.deps import HandlerDeps
from adjustment_svc.app.handlers.dispute_state import known_dispute_or_park
from mediabill_common.events.catalog import DisputeReopened
from mediabill_common.events.envelope import Envelope


async def when_dispute_reopened_hold_lines(session: AsyncSession, envelope: Envelope, payload: DisputeReopened,
                                           deps: HandlerDeps) -> None:
    if await known_dispute_or_park(session, envelope, payload.invoice_id, payload.dispute_id, deps):
        await InvoiceReadModel(session).set_dispute_status(payload.dispute_id, "open")
