"""The journal (C1): entries and their lines; each source is posted once (a unique source_type and source_id)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.tables import journal_entries, journal_lines
from accounting_svc.domain.journal import Dimensions, EntryLine, JournalEntry
from mediabill_common.money import Money

# Eight parameters an entry: well inside PostgreSQL's 32,767 bind parameters a statement.
_ENTRIES_PER_INSERT = 1000
DIMENSIONS = ("bill_to_account_id", "account_id", "contract_id", "product_code", "channel", "service_period",
              "tax_code")


def _dimensions(row: Any) -> Dimensions:
    return Dimensions(**{name: getattr(row, name) for name in DIMENSIONS})


def _line_of(row: Any) -> EntryLine:
    return EntryLine(row.account, Money(row.debit, row.currency).rounded(), Money(row.credit, row.currency).rounded(),
                     _dimensions(row))


class JournalRepository:
    """app.ports.Journal over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, entry: JournalEntry) -> bool:
        return bool(await self.add_many([entry]))

    async def add_many(self, entries: list[JournalEntry]) -> list[JournalEntry]:
        """One insert of the entries (those whose source is posted already are skipped) and one of their lines."""
        ids: set[str] = set()
        for start in range(0, len(entries), _ENTRIES_PER_INSERT):
            inserted = await self._s.execute(insert(journal_entries).values([
                {"entry_id": e.entry_id, "source_type": e.source_type, "source_id": e.source_id,
                 "document_number": e.document_number, "posting_date": e.posting_date,
                 "posting_period": e.posting_period, "original_period": e.original_period,
                 "reverses_entry_id": e.reverses_entry_id} for e in entries[start:start + _ENTRIES_PER_INSERT]
            ]).on_conflict_do_nothing().returning(journal_entries.c.entry_id))
            ids |= {row.entry_id for row in inserted}
        posted = [e for e in entries if e.entry_id in ids]
        lines = [{"entry_id": e.entry_id, "line_no": n, "account": line.account, "debit": line.debit.amount,
                  "credit": line.credit.amount, "currency": line.currency, **line.dimensions.__dict__}
                 for e in posted for n, line in enumerate(e.lines, start=1)]
        if lines:
            await self._s.execute(insert(journal_lines), lines)
        return posted

    async def get(self, entry_id: str) -> JournalEntry | None:
        head = (await self._s.execute(select(journal_entries).where(journal_entries.c.entry_id == entry_id))).first()
        if head is None:
            return None
        rows = await self._s.execute(select(journal_lines).where(journal_lines.c.entry_id == entry_id)
                                     .order_by(journal_lines.c.line_no))
        return JournalEntry(head.entry_id, head.source_type, head.source_id, head.document_number,
                            head.posting_date, head.posting_period, head.original_period,
                            tuple(_line_of(r) for r in rows), head.reverses_entry_id)

    async def accrued_lines(self, period: str) -> tuple[EntryLine, ...]:
        query = (select(journal_lines.c.account, journal_lines.c.currency,
                        *[journal_lines.c[name] for name in DIMENSIONS],
                        func.sum(journal_lines.c.debit).label("debit"),
                        func.sum(journal_lines.c.credit).label("credit"))
                 .join(journal_entries, journal_entries.c.entry_id == journal_lines.c.entry_id)
                 .where(journal_entries.c.source_type == "accrual", journal_entries.c.posting_period == period)
                 .group_by(journal_lines.c.account, journal_lines.c.currency,
                           *[journal_lines.c[name] for name in DIMENSIONS]))
        net: dict[tuple[str, str, Dimensions], Decimal] = defaultdict(Decimal)
        for row in await self._s.execute(query):
            net[(row.account, row.currency, _dimensions(row))] += row.debit - row.credit
        out = []
        for (account, currency, dims), amount in net.items():
            if amount:
                zero, money = Money.zero(currency), Money(abs(amount), currency).rounded()
                out.append(EntryLine(account, money if amount > 0 else zero, zero if amount > 0 else money, dims))
        return tuple(out)
