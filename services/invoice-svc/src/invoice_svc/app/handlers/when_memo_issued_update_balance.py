"""CreditMemoIssued / DebitMemoIssued (adjustment-svc): credit or debit the invoice's balance, once per memo_id.

A memo for an invoice not issued here (yet) waits for it (app/balances.py).
"""

from __future__ import annotations

from invoice_svc.app.balances import (
    audit_balance_change,
    publish_balance,
    receivable_or_park,
    record_entry,
    update_balance,
)
from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.billing.balance import BalanceEntry, EntryKind
from invoice_svc.domain.billing.history import EntryCause
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import MemoIssued


async def when_memo_issued_update_balance(event: Event[MemoIssued], unit: InvoiceUnit) -> None:
    data = event.payload
    invoice = await receivable_or_park(unit, event, data.invoice_id)
    if invoice is None:
        return
    kind: EntryKind = "credit_memo" if event.type == "CreditMemoIssued" else "debit_memo"
    entry = BalanceEntry(data.memo_id, kind, data.total, data.currency, data.issued_at, data.dispute_id)
    cause = EntryCause(data.requested_by, {"memo_number": data.memo_number, "requested_by": data.requested_by,
                                           "approved_by": list(data.approved_by), "reason_code": data.reason_code,
                                           "dispute_id": data.dispute_id})
    if await record_entry(unit, event, invoice, entry, cause):
        before, after = await update_balance(unit, invoice, entry)
        await publish_balance(unit, event, invoice, entry, after)
        await audit_balance_change(unit, invoice, entry, cause, before, after)
