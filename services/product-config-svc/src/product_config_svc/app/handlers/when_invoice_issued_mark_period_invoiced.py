"""InvoiceIssued: the contract's period is invoiced, so no amendment may take effect in or before it any more, nor
a change of the billing sources of the products it billed."""

from __future__ import annotations

from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued
from product_config_svc.app.ports import InvoicedPeriodsUnit


async def when_invoice_issued_mark_period_invoiced(event: Event[InvoiceIssued], unit: InvoicedPeriodsUnit) -> None:
    issued = event.payload
    await unit.invoiced.record_issued(invoice_id=issued.invoice_id, invoice_number=issued.invoice_number,
                                      contract_id=issued.contract_id, period=issued.period,
                                      product_codes=sorted({line.product_code for line in issued.lines
                                                            if line.product_code}))
    # A void that overtook its invoice (different partitions or a replay) is applied now.
    await unit.parking.replay(issued.invoice_id)
