"""InvoiceIssued: the contract's period is invoiced, so no amendment may take effect in or before it any more."""

from __future__ import annotations

from mediabill_common.events.catalog import InvoiceIssued
from mediabill_common.events.envelope import Envelope
from product_config_svc.app.handlers.ports import ParkedEvents
from product_config_svc.app.ports import InvoicedPeriods


async def when_invoice_issued_mark_period_invoiced(invoiced: InvoicedPeriods, parked: ParkedEvents,
                                                   envelope: Envelope, issued: InvoiceIssued) -> None:
    await invoiced.record_issued(invoice_id=issued.invoice_id, invoice_number=issued.invoice_number,
                                 contract_id=issued.contract_id, period=issued.period)
    # A void that overtook its invoice (different partitions or a replay) is applied now.
    for early in await parked.release(issued.invoice_id):
        if early.type == "InvoiceVoided":
            await invoiced.mark_voided(issued.invoice_id)
