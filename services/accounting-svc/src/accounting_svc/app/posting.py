"""Posting an entry: into the journal once per source (C7), announced on accounting.journal.v1 in the same
transaction, in the period and on the date of C6."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from accounting_svc.app.ports import AccountingUnit
from accounting_svc.domain.journal import JournalEntry
from accounting_svc.domain.periods import period_of, posting_date, posting_period
from mediabill_common.events.catalog import JournalEntryPosted, JournalLine


def entry_posted(entry: JournalEntry, posted_at: datetime) -> JournalEntryPosted:
    """The JournalEntryPosted payload of an entry."""
    return JournalEntryPosted(
        entry_id=entry.entry_id, source_type=entry.source_type,  # type: ignore[arg-type]
        source_id=entry.source_id, document_number=entry.document_number, posting_date=entry.posting_date,
        posting_period=entry.posting_period, original_period=entry.original_period,
        reverses_entry_id=entry.reverses_entry_id, posted_at=posted_at,
        lines=[JournalLine(line_no=n, account=line.account, debit=line.debit.amount, credit=line.credit.amount,
                           currency=line.currency, **line.dimensions.__dict__)
               for n, line in enumerate(entry.lines, start=1)])


async def post_entry(unit: AccountingUnit, entry: JournalEntry) -> bool:
    """Post `entry` and queue its JournalEntryPosted; False (nothing written) when its source is already posted."""
    if not await unit.journal.add(entry):
        return False
    await unit.publish("JournalEntryPosted", key=entry.posting_period, subject=entry.entry_id,
                       data=entry_posted(entry, datetime.now(UTC)))
    return True


async def post_entries(unit: AccountingUnit, entries: list[JournalEntry]) -> list[JournalEntry]:
    """`post_entry` for a batch: one write of the entries and their lines, one of their JournalEntryPosted; returns
    those posted (a source already posted writes nothing)."""
    posted = await unit.journal.add_many(entries)
    now = datetime.now(UTC)
    await unit.publish_many("JournalEntryPosted", [(entry.posting_period, entry.entry_id, entry_posted(entry, now))
                                                   for entry in posted])
    return posted


async def placement(unit: AccountingUnit, document_period: str, document_date: date) -> tuple[str, date]:
    """The posting period (the document's own while it is open, else the first open one after it) and date (C6)."""
    period = posting_period(document_period, await unit.periods.closed())
    return period, posting_date(document_date, period)


def ledger_date(moment: datetime, zone: ZoneInfo) -> date:
    """The date of a timestamp in the ledger time zone."""
    return moment.astimezone(zone).date()


async def placement_at(unit: AccountingUnit, moment: datetime, zone: ZoneInfo) -> tuple[str, date]:
    """Placement of a document dated by a timestamp (memos, payments, voids post to the period of their date)."""
    day = ledger_date(moment, zone)
    return await placement(unit, period_of(day), day)
