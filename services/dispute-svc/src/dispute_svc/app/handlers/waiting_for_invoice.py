"""Events that may arrive before the invoice they are about (a void, a balance, a credit memo): parked until its
InvoiceIssued arrives, whose handler replays them through the table."""

from __future__ import annotations

from typing import Any

from dispute_svc.app.ports import DisputeUnit
from mediabill_common.consumer import Event


async def parked_until_invoice_arrives(event: Event[Any], unit: DisputeUnit, invoice_id: str) -> bool:
    """True when the invoice is not known yet: the event is parked for it and applied when it arrives."""
    if await unit.invoices.exists(invoice_id):
        return False
    await unit.parking.park(event, waiting_for=invoice_id)
    return True
