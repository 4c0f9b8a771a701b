"""InvoiceVoided: the period is no longer invoiced (the next bill run issues it again under a new number)."""

from __future__ import annotations

from mediabill_common.events.catalog import InvoiceVoided
from mediabill_common.events.envelope import Envelope
from product_config_svc.app.handlers.ports import ParkedEvents
from product_config_svc.app.ports import InvoicedPeriods


async def when_invoice_voided_free_period(invoiced: InvoicedPeriods, parked: ParkedEvents, envelope: Envelope,
                                          voided: InvoiceVoided) -> None:
    if not await invoiced.mark_voided(voided.invoice_id):
        # The InvoiceIssued it refers to has not arrived yet: keep the void until it does.
        await parked.park(envelope, waiting_for=voided.invoice_id)
