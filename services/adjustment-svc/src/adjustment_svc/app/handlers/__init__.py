"""Event handlers of adjustment-svc, one per message, named for their reaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.app.handlers.deps import HandlerDeps
from adjustment_svc.app.handlers.when_account_upserted_keep_account import when_account_upserted_keep_account
from adjustment_svc.app.handlers.when_dispute_opened_hold_lines import when_dispute_opened_hold_lines
from adjustment_svc.app.handlers.when_dispute_reopened_hold_lines import when_dispute_reopened_hold_lines
from adjustment_svc.app.handlers.when_dispute_resolved_request_credit import when_dispute_resolved_request_credit
from adjustment_svc.app.handlers.when_dispute_withdrawn_release_lines import when_dispute_withdrawn_release_lines
from adjustment_svc.app.handlers.when_invoice_issued_record_invoice import when_invoice_issued_record_invoice
from adjustment_svc.app.handlers.when_invoice_voided_close_invoice import when_invoice_voided_close_invoice
from mediabill_common.consumer import ParkingLot
from mediabill_common.events.catalog import parse_payload
from mediabill_common.events.envelope import Envelope
from mediabill_common.service import ServiceContext

EventHandler = Callable[[AsyncSession, Envelope, Any, HandlerDeps], Awaitable[None]]

# billing.config.v1: only accounts; products and contracts are not this service's concern (counted and ignored).
EVENT_HANDLERS: dict[str, EventHandler] = {
    "BillingAccountUpserted": when_account_upserted_keep_account,
    "InvoiceIssued": when_invoice_issued_record_invoice,
    "InvoiceVoided": when_invoice_voided_close_invoice,
    "DisputeOpened": when_dispute_opened_hold_lines,
    "DisputeResolved": when_dispute_resolved_request_credit,
    "DisputeWithdrawn": when_dispute_withdrawn_release_lines,
    "DisputeReopened": when_dispute_reopened_hold_lines,
}


def make_deps(ctx: ServiceContext, consumer_name: str) -> HandlerDeps:
    """The handlers' dependencies, with parked events replayed through EVENT_HANDLERS."""
    holder: dict[str, HandlerDeps] = {}

    async def replay(session: AsyncSession, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            handler = EVENT_HANDLERS[envelope.type]
            await handler(session, envelope, parse_payload(envelope.type, envelope.data), holder["deps"])

    holder["deps"] = HandlerDeps(ctx=ctx, parking=ParkingLot(ctx.tables.parked_events, consumer_name),
                                 replay=replay)
    return holder["deps"]
