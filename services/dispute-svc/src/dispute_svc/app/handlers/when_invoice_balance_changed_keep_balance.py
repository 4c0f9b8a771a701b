"""InvoiceBalanceChanged: invoice-svc's balance is the authority on status, credited and paid amounts."""

from __future__ import annotations

from dispute_svc.app.handlers.waiting_for_invoice import parked_until_invoice_arrives
from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceBalanceChanged


async def when_invoice_balance_changed_keep_balance(event: Event[InvoiceBalanceChanged], unit: DisputeUnit) -> None:
    if not await parked_until_invoice_arrives(event, unit, event.payload.invoice_id):
        await unit.invoices.apply_balance(event.payload)
