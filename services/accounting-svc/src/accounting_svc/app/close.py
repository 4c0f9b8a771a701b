"""The period checklist, close and reopen (close.md C10, C11).

What only invoice-svc knows (its billing status, the unbilled snapshot) and the exposure dispute-svc and
adjustment-svc hold (open disputes, pending credit requests) are fetched before the transaction; the
close then holds the calendar lock, so no entry posts into the period while it closes, re-checks the list, posts
the accrual and its reversal (only the difference from earlier closes of the period), marks the period closed and
publishes PeriodClosed — all in one transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from accounting_svc.app.ports import (
    AccountingUnit,
    OpenAmountsService,
    PeriodRecord,
    ServiceUnavailable,
    UnbilledSnapshot,
)
from accounting_svc.app.posting import post_entry
from accounting_svc.domain.checklist import (
    CheckItem,
    DeadLetter,
    JournalFigures,
    billing_item,
    failing,
    issued_documents,
    journal_item,
    previous_period_item,
    receivable_item,
    unpriced_item,
    waiting_item,
)
from accounting_svc.domain.errors import PeriodNotClosable, PeriodNotReopenable
from accounting_svc.domain.exposure import OpenAmounts, exceptions_item, open_amounts_item
from accounting_svc.domain.journal import JournalEntry
from accounting_svc.domain.periods import first_day, previous_period
from accounting_svc.domain.postings import accrual_entries
from mediabill_common.events.catalog import PeriodClosed, PeriodReopened


class CloseFigures(Protocol):
    """The journal's side of the checklist (adapters.journal_queries.JournalQueries implements it)."""

    async def posted_documents(self, period: str) -> dict[str, tuple[int, Decimal]]: ...

    async def waiting_events(self, consumer: str) -> int: ...

    async def balances(self, accounts: list[str]) -> dict[tuple[str, str], Decimal]: ...

    async def reported_receivables(self) -> dict[str, tuple[Decimal, Decimal]]: ...

    async def has_entries(self, period: str) -> bool: ...

    async def dead_letters(self, consumer: str, since: datetime) -> list[DeadLetter]: ...


@dataclass(frozen=True)
class InvoiceSide:
    """What invoice-svc answered before the transaction: its billing status (or why not) and, at close, the
    stored unbilled snapshot."""

    status: dict[str, Any] | None
    unavailable: str | None = None
    snapshot: UnbilledSnapshot | None = None


@dataclass(frozen=True)
class OpenAmountsRead:
    """What a service holding exposure answered before the transaction, or why it could not."""

    found: OpenAmounts | None
    unavailable: str | None = None


@dataclass(frozen=True)
class Exposure:
    """Open disputes (dispute-svc) and pending credit requests (adjustment-svc): informational checklist items."""

    disputes: OpenAmountsRead
    credit_requests: OpenAmountsRead


async def read_open_amounts(service: OpenAmountsService) -> OpenAmountsRead:
    try:
        return OpenAmountsRead(await service.open_amounts())
    except ServiceUnavailable as exc:
        return OpenAmountsRead(None, str(exc))


async def read_exposure(disputes: OpenAmountsService, credit_requests: OpenAmountsService) -> Exposure:
    """Both services at once: a slow one costs the checklist its timeout once, not twice."""
    open_disputes, pending = await asyncio.gather(read_open_amounts(disputes), read_open_amounts(credit_requests))
    return Exposure(open_disputes, pending)


def exposure_items(exposure: Exposure) -> list[CheckItem]:
    return [open_amounts_item("open_disputes", "open disputes", exposure.disputes.found, exposure.disputes.unavailable),
            open_amounts_item("pending_credit_requests", "pending credit requests", exposure.credit_requests.found,
                              exposure.credit_requests.unavailable)]


async def checklist(unit: AccountingUnit, figures: CloseFigures, period: str, invoice_side: InvoiceSide, *,
                    consumer: str, exposure: Exposure | None = None) -> list[CheckItem]:
    """The items of C10; the exposure items only when `exposure` was read (a close needs only blocking ones)."""
    chart, _ = await unit.chart.current()
    balances = await figures.balances([chart.receivable, chart.customer_credits])
    since = datetime.combine(first_day(period), time(0), tzinfo=unit.ledger_zone)
    journal = JournalFigures(
        posted=await figures.posted_documents(period), waiting=await figures.waiting_events(consumer),
        receivable={c: v for (a, c), v in balances.items() if a == chart.receivable},
        customer_credits={c: -v for (a, c), v in balances.items() if a == chart.customer_credits},
        reported=await figures.reported_receivables(), dead_letters=await figures.dead_letters(consumer, since),
        dead_letters_since=since)
    previous = previous_period(period)
    previous_record = await unit.periods.get(previous)
    closed = previous_record is not None and previous_record.status == "closed"
    opened = previous_record is not None or await figures.has_entries(previous)
    snapshot = invoice_side.snapshot
    return [billing_item(invoice_side.status, invoice_side.unavailable),
            journal_item(issued_documents(invoice_side.status), journal),
            receivable_item(journal), previous_period_item(previous, closed, opened), waiting_item(journal.waiting),
            unpriced_item(snapshot.unpriced if snapshot else None),
            exceptions_item(invoice_side.status, invoice_side.unavailable),
            *(exposure_items(exposure) if exposure is not None else [])]


async def close_period(unit: AccountingUnit, figures: CloseFigures, period: str, invoice_side: InvoiceSide, *,
                       actor: str, consumer: str) -> tuple[PeriodRecord, list[JournalEntry]]:
    """Close `period`: 409 with the failing items unless the checklist passes; the accrual entries posted."""
    await unit.periods.lock_calendar()
    record = await unit.periods.get(period, for_update=True) or PeriodRecord(period, "open")
    if record.status == "closed":
        raise PeriodNotClosable(f"{period} is already closed", [])
    items = await checklist(unit, figures, period, invoice_side, consumer=consumer)
    blocking = failing(items)
    if blocking or invoice_side.snapshot is None:
        raise PeriodNotClosable(f"{period} cannot close: {', '.join(i.item for i in blocking) or 'no snapshot'}",
                                [{"item": i.item, "why": i.why, "details": i.details} for i in blocking])
    chart, _ = await unit.chart.current()
    count = record.close_count + 1
    entries = accrual_entries(invoice_side.snapshot.lines, await unit.journal.accrued_lines(period), period, chart,
                              close_number=count)
    posted = list(entries or ())
    for entry in posted:
        await post_entry(unit, entry)
    now = datetime.now(UTC)
    closed = replace(record, status="closed", close_count=count, closed_at=now, closed_by=actor,
                     snapshot_id=invoice_side.snapshot.snapshot_id)
    await unit.periods.save(closed)
    await unit.record_audit(actor=actor, action="period.closed", entity_type="period", entity_id=period,
                            before={"status": record.status},
                            after={"status": "closed", "snapshot_id": closed.snapshot_id,
                                   "accrual_entries": [e.entry_id for e in posted]})
    await unit.publish("PeriodClosed", key=period, subject=period,
                       data=PeriodClosed(period=period, by=actor, at=now, snapshot_id=closed.snapshot_id))
    return closed, posted


async def reopen_period(unit: AccountingUnit, period: str, *, actor: str, reason: str) -> PeriodRecord:
    """Reopen the latest closed period (C11): audited, nothing already posted is reversed."""
    await unit.periods.lock_calendar()
    latest = await unit.periods.latest_closed()
    if latest != period:
        raise PeriodNotReopenable(f"only the latest closed period ({latest or 'none'}) can be reopened, not {period}")
    record = await unit.periods.get(period, for_update=True)
    assert record is not None
    now = datetime.now(UTC)
    reopened = replace(record, status="open", reopened_at=now, reopened_by=actor, reopen_reason=reason)
    await unit.periods.save(reopened)
    await unit.record_audit(actor=actor, action="period.reopened", entity_type="period", entity_id=period,
                            reason=reason, before={"status": "closed"}, after={"status": "open"})
    await unit.publish("PeriodReopened", key=period, subject=period,
                       data=PeriodReopened(period=period, by=actor, at=now, reason=reason))
    return reopened
