"""CreditMemoIssued / DebitMemoIssued: post the memo's lines and the receivable change of its total (C3, C4)."""

from __future__ import annotations

from accounting_svc.app.documents import memo_document
from accounting_svc.app.handlers.waiting_for import posted_invoice_or_park
from accounting_svc.app.ports import AccountingUnit
from accounting_svc.app.posting import ledger_date, placement_at, post_entry
from accounting_svc.domain.journal import entry_id_for
from accounting_svc.domain.postings import memo_entry
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import MemoIssued


async def when_memo_issued_post_memo(event: Event[MemoIssued], unit: AccountingUnit) -> None:
    memo = event.payload
    record = await posted_invoice_or_park(event, unit, memo.invoice_id)
    if record is None:
        return
    kind = "credit" if event.type == "CreditMemoIssued" else "debit"
    if await unit.journal.get(entry_id_for(f"{kind}_memo", memo.memo_id)) is not None:
        return  # the same memo published again under another event id
    chart, _ = await unit.chart.current()
    document = memo_document(memo, kind, ledger_date(memo.issued_at, unit.ledger_zone))
    period, day = await placement_at(unit, memo.issued_at, unit.ledger_zone)
    entry, after = memo_entry(document, record.document, record.receivable, chart, posting_period=period,
                              posting_date=day)
    await unit.invoices.save_receivable(memo.invoice_id, after)
    await post_entry(unit, entry)
