"""InvoiceVoided: the period is no longer invoiced (the next bill run issues it again under a new number)."""

from __future__ import annotations

from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceVoided
from product_config_svc.app.ports import InvoicedPeriodsUnit


async def when_invoice_voided_free_period(event: Event[InvoiceVoided], unit: InvoicedPeriodsUnit) -> None:
    if not await unit.invoiced.mark_voided(event.payload.invoice_id):
        # The InvoiceIssued it refers to has not arrived yet: keep the void until it does.
        await unit.parking.park(event, waiting_for=event.payload.invoice_id)
