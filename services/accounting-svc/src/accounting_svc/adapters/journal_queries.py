"""Reads of the journal for the reports (close.md "Reports and feeds"): entries with their lines, the trial
balance, revenue by dimension, the ERP export and the receivable tie-out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounting_svc.adapters.tables import common, dead_letters, invoices, journal_entries, journal_lines
from accounting_svc.domain.checklist import DeadLetter
from mediabill_common.money import round_money

ZERO = Decimal(0)


def _at_minor_unit(row: dict[str, Any]) -> dict[str, Any]:
    """A line's debit and credit at its currency's minor unit (the columns keep six places; postings are exact)."""
    return {**row, "debit": round_money(row["debit"], row["currency"]),
            "credit": round_money(row["credit"], row["currency"])}


@dataclass(frozen=True)
class EntryFilter:
    period: str | None = None
    account: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    contract_id: str | None = None


@dataclass(frozen=True)
class BalanceRow:
    account: str
    currency: str
    opening: Decimal
    debits: Decimal
    credits: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debits - self.credits


class JournalQueries:
    """Read-only queries over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def entries(self, f: EntryFilter, *, after_seq: int | None, limit: int) -> list[dict[str, Any]]:
        """Entries in posting order with their lines, `limit` of them after `after_seq`."""
        query = select(journal_entries).order_by(journal_entries.c.seq).limit(limit)
        if after_seq is not None:
            query = query.where(journal_entries.c.seq > after_seq)
        for column, value in (("posting_period", f.period), ("source_type", f.source_type),
                              ("source_id", f.source_id)):
            if value is not None:
                query = query.where(journal_entries.c[column] == value)
        for column, value in (("account", f.account), ("contract_id", f.contract_id)):
            if value is not None:
                query = query.where(journal_entries.c.entry_id.in_(
                    select(journal_lines.c.entry_id).where(journal_lines.c[column] == value)))
        heads = [dict(r._mapping) for r in await self._s.execute(query)]
        if not heads:
            return []
        lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        rows = await self._s.execute(select(journal_lines)
                                     .where(journal_lines.c.entry_id.in_([h["entry_id"] for h in heads]))
                                     .order_by(journal_lines.c.entry_id, journal_lines.c.line_no))
        for row in rows:
            lines[row.entry_id].append(_at_minor_unit(dict(row._mapping)))
        return [{**head, "lines": lines[head["entry_id"]]} for head in heads]

    async def seq_of(self, entry_id: str) -> int | None:
        query = select(journal_entries.c.seq).where(journal_entries.c.entry_id == entry_id)
        return (await self._s.execute(query)).scalar_one_or_none()

    async def export_rows(self, period: str | None, *, after_seq: int | None, limit: int) -> list[dict[str, Any]]:
        """One row per entry line, in posting order (the ERP export)."""
        query = (select(journal_entries.c.seq, journal_entries.c.entry_id, journal_entries.c.posting_date,
                        journal_entries.c.posting_period, journal_entries.c.original_period,
                        journal_entries.c.source_type, journal_entries.c.source_id,
                        journal_entries.c.document_number, journal_lines)
                 .join(journal_lines, journal_lines.c.entry_id == journal_entries.c.entry_id)
                 .order_by(journal_entries.c.seq, journal_lines.c.line_no).limit(limit))
        if period is not None:
            query = query.where(journal_entries.c.posting_period == period)
        if after_seq is not None:
            query = query.where(journal_entries.c.seq > after_seq)
        return [_at_minor_unit(dict(r._mapping)) for r in await self._s.execute(query)]

    async def trial_balance(self, period: str) -> list[BalanceRow]:
        """Per account and currency: the balance carried in from earlier periods, the period's debits and credits."""
        before = journal_entries.c.posting_period < period
        during = journal_entries.c.posting_period == period
        net = journal_lines.c.debit - journal_lines.c.credit
        query = (select(journal_lines.c.account, journal_lines.c.currency,
                        func.coalesce(func.sum(case((before, net))), ZERO).label("opening"),
                        func.coalesce(func.sum(case((during, journal_lines.c.debit))), ZERO).label("debits"),
                        func.coalesce(func.sum(case((during, journal_lines.c.credit))), ZERO).label("credits"))
                 .join(journal_entries, journal_entries.c.entry_id == journal_lines.c.entry_id)
                 .where(journal_entries.c.posting_period <= period)
                 .group_by(journal_lines.c.account, journal_lines.c.currency)
                 .order_by(journal_lines.c.account, journal_lines.c.currency))
        return [BalanceRow(r.account, r.currency, *(round_money(v, r.currency) for v in (r.opening, r.debits,
                                                                                            r.credits)))
                for r in await self._s.execute(query)]

    async def net_credits(self, period: str, dimension: str | None) -> list[tuple[str, str, str | None, Decimal]]:
        """Net credit per (account, currency, dimension value) posted in the period."""
        column = journal_lines.c[dimension] if dimension else journal_lines.c.account
        query = (select(journal_lines.c.account, journal_lines.c.currency, column.label("value"),
                        func.sum(journal_lines.c.credit - journal_lines.c.debit).label("net"))
                 .join(journal_entries, journal_entries.c.entry_id == journal_lines.c.entry_id)
                 .where(journal_entries.c.posting_period == period)
                 .group_by(journal_lines.c.account, journal_lines.c.currency, column))
        return [(r.account, r.currency, r.value, round_money(r.net, r.currency)) for r in await self._s.execute(query)]

    async def balances(self, accounts: list[str]) -> dict[tuple[str, str], Decimal]:
        """Debit balance per (account, currency) over all periods."""
        query = (select(journal_lines.c.account, journal_lines.c.currency,
                        func.sum(journal_lines.c.debit - journal_lines.c.credit).label("net"))
                 .where(journal_lines.c.account.in_(accounts))
                 .group_by(journal_lines.c.account, journal_lines.c.currency))
        return {(r.account, r.currency): round_money(r.net, r.currency) for r in await self._s.execute(query)}

    async def reported_receivables(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Σ balance_due and Σ overpaid per currency as invoice-svc reports them: each invoice's latest
        InvoiceBalanceChanged, and its total while it had none (an invoice is issued owing its total)."""
        due = func.coalesce(invoices.c.reported_balance_due, invoices.c.total)
        over = func.coalesce(invoices.c.reported_overpaid, ZERO)
        query = (select(invoices.c.currency, func.sum(due).label("due"), func.sum(over).label("over"))
                 .group_by(invoices.c.currency))
        return {r.currency: (round_money(r.due, r.currency), round_money(r.over, r.currency))
                for r in await self._s.execute(query)}

    async def posted_documents(self, period: str) -> dict[str, tuple[int, Decimal]]:
        """Invoices posted for a service period: count and Σ total per currency (voided ones left out)."""
        query = (select(invoices.c.currency, func.count().label("n"), func.sum(invoices.c.total).label("total"))
                 .where(and_(invoices.c.period == period, invoices.c.voided.is_(False)))
                 .group_by(invoices.c.currency))
        return {r.currency: (r.n, round_money(r.total, r.currency)) for r in await self._s.execute(query)}

    async def waiting_events(self, consumer: str) -> int:
        """Events parked until their invoice is posted."""
        parked = common.parked_events
        query = select(func.count()).select_from(parked).where(parked.c.consumer == consumer)
        return int((await self._s.execute(query)).scalar_one())

    async def dead_letters(self, consumer: str, since: datetime) -> list[DeadLetter]:
        """What the consumer dead-lettered from `since` on, has not applied since (a replay applied after the
        dead letter leaves an inbox row of the same event processed later) and no one dismissed, oldest first."""
        d, inbox = dead_letters, common.inbox
        applied_since = exists().where(inbox.c.consumer == d.c.consumer, inbox.c.source == d.c.source,
                                       inbox.c.event_id == d.c.event_id, inbox.c.processed_at > d.c.dead_lettered_at)
        query = (select(d).where(d.c.consumer == consumer, d.c.dead_lettered_at >= since, d.c.dismissed_at.is_(None),
                                 ~applied_since)
                 .order_by(d.c.dead_lettered_at, d.c.id))
        return [DeadLetter(r.event_id, r.event_type, r.topic, r.partition, r.offset, r.reason, r.dead_lettered_at,
                           r.id) for r in await self._s.execute(query)]

    async def has_entries(self, period: str) -> bool:
        query = select(journal_entries.c.entry_id).where(journal_entries.c.posting_period == period).limit(1)
        return (await self._s.execute(query)).first() is not None

    async def posting_periods(self) -> list[str]:
        query = select(journal_entries.c.posting_period).distinct()
        return sorted(r.posting_period for r in await self._s.execute(query))
