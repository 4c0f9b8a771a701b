"""Ports of accounting-svc's handlers and use cases: what they need from storage, from the transaction and from
invoice-svc, as Protocols, and the rows they read.

Adapters implement them over one session (adapters/unit.py builds the unit of a transaction); unit tests hand in
in-memory fakes (accounting_svc.testing.fakes).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from accounting_svc.domain.chart import ChartOfAccounts
from accounting_svc.domain.documents import InvoiceDocument, UnbilledLine
from accounting_svc.domain.exposure import OpenAmounts
from accounting_svc.domain.journal import EntryLine, JournalEntry
from accounting_svc.domain.receivable import Receivable
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import Payload
from mediabill_common.money import Money


@dataclass(frozen=True)
class InvoiceRecord:
    """An issued invoice as posted: the document, the entry that posted it, and its receivable state (C4)."""

    document: InvoiceDocument
    entry_id: str
    receivable: Receivable


@dataclass(frozen=True)
class PendingPayment:
    """A PaymentApplied as collections sent it, and whether invoice-svc applied it (pending, applied, unapplied)."""

    payment_id: str
    event_id: str
    invoice_id: str
    bill_to_account_id: str
    amount: Money
    applied_at: datetime
    status: str


@dataclass(frozen=True)
class PeriodRecord:
    period: str
    status: str  # open | closed
    close_count: int = 0
    closed_at: datetime | None = None
    closed_by: str | None = None
    snapshot_id: str | None = None
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    reopen_reason: str | None = None


@dataclass(frozen=True)
class UnbilledSnapshot:
    """An unbilled snapshot invoice-svc stored (C9): what the close accrues, and what it could not price."""

    snapshot_id: str
    period: str
    lines: list[UnbilledLine]
    unpriced: list[dict[str, Any]] = field(default_factory=list)


class InvoiceServiceUnavailable(Exception):
    """invoice-svc could not answer (down, timed out, refused): a close waits and says why."""


class InvoiceService(Protocol):
    """What only invoice-svc knows at close (close.md C9, C10), over HTTP."""

    async def billing_status(self, period: str) -> dict[str, Any]:
        """GET /v1/periods/{period}/billing-status."""
        ...

    async def take_unbilled_snapshot(self, period: str) -> UnbilledSnapshot:
        """POST /v1/unbilled-snapshots {period}: stored under an id, so the close accrues exactly what it showed."""
        ...


@dataclass(frozen=True)
class DeadLetterRecord:
    """A dead letter of accounting-svc's consumer as recorded (close.md C10), dismissed or not."""

    letter_id: int
    consumer: str
    event_id: str | None
    event_type: str | None
    source: str | None
    topic: str
    partition: int
    offset: int
    reason: str
    dead_lettered_at: datetime
    dismissed_at: datetime | None
    dismissed_by: str | None
    dismiss_reason: str | None


class DeadLetters(Protocol):
    """The recorded dead letters (adapters.dead_letter_log.DeadLetterRepository)."""

    async def get(self, letter_id: int, *, for_update: bool = False) -> DeadLetterRecord | None: ...

    async def dismiss(self, letter_id: int, *, by: str, reason: str, at: datetime) -> DeadLetterRecord: ...


class ServiceUnavailable(Exception):
    """Another service could not answer (down, timed out, refused): its checklist item says so."""


class OpenAmountsService(Protocol):
    """What another service holds open as exposure at close (C10, informational): dispute-svc's open disputes,
    adjustment-svc's pending credit requests."""

    async def open_amounts(self) -> OpenAmounts:
        """One (currency, amount) per open item; raises ServiceUnavailable when the service cannot answer."""
        ...


class Products(Protocol):
    """The read model of ad products (billing.config.v1): a line's channel comes from its product."""

    async def keep_newer(self, code: str, state_version: int, *, channel: str | None,
                         gl_revenue_account: str | None) -> bool: ...

    async def channels(self, codes: Collection[str]) -> dict[str, str | None]: ...


class Invoices(Protocol):
    """Issued invoices as posted, with the receivable state of each (C4) and invoice-svc's latest balance."""

    async def add(self, record: InvoiceRecord) -> None: ...

    async def add_many(self, records: list[InvoiceRecord]) -> None:
        """`add` for a batch of invoices none of which is posted yet."""
        ...

    async def known(self, invoice_ids: Collection[str]) -> set[str]:
        """Those of `invoice_ids` already posted."""
        ...

    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceRecord | None: ...

    async def save_receivable(self, invoice_id: str, receivable: Receivable) -> None: ...

    async def record_reported_balance(self, invoice_id: str, *, balance_due: Decimal, overpaid: Decimal) -> None:
        """What invoice-svc last reported of the invoice's balance (InvoiceBalanceChanged), for the tie-out."""
        ...


class Payments(Protocol):
    """Payments collections sent, until invoice-svc applies them or the wait passes (C4)."""

    async def add(self, payment: PendingPayment) -> bool:
        """Keep the payment; False when its payment_id is known (a resend)."""
        ...

    async def by_event(self, event_id: str, *, for_update: bool = False) -> PendingPayment | None: ...

    async def set_status(self, payment_id: str, status: str) -> None: ...

    async def record_applied_event(self, event_id: str) -> None:
        """invoice-svc applied the PaymentApplied `event_id` (it may be told before the payment arrives here)."""
        ...

    async def was_applied(self, event_id: str) -> bool: ...

    async def past_wait(self, received_before: datetime, limit: int) -> list[PendingPayment]:
        """Pending payments received before `received_before`, locked, skipping those another process holds."""
        ...


class Journal(Protocol):
    """The journal: entries and their lines, each source posted once."""

    async def add(self, entry: JournalEntry) -> bool:
        """Post the entry; False when an entry for the same source is already posted (nothing written)."""
        ...

    async def add_many(self, entries: list[JournalEntry]) -> list[JournalEntry]:
        """Post a batch of entries; returns those posted (an entry whose source is already posted writes nothing)."""
        ...

    async def get(self, entry_id: str) -> JournalEntry | None: ...

    async def accrued_lines(self, period: str) -> tuple[EntryLine, ...]:
        """The net lines every accrual of `period` posted so far (a re-close posts only the difference)."""
        ...


class Periods(Protocol):
    """The period calendar (C10, C11)."""

    async def closed(self) -> set[str]: ...

    async def get(self, period: str, *, for_update: bool = False) -> PeriodRecord | None: ...

    async def latest_closed(self) -> str | None: ...

    async def save(self, record: PeriodRecord) -> None: ...

    async def lock_calendar(self) -> None:
        """Serialise closes and reopens (and the postings that read which periods are closed) in this transaction."""
        ...


class Chart(Protocol):
    """The chart-of-accounts mapping (C8), versioned for ETag / If-Match."""

    async def current(self, *, for_update: bool = False) -> tuple[ChartOfAccounts, int]: ...

    async def replace(self, chart: ChartOfAccounts, *, by: str) -> int: ...


class Parking(Protocol):
    """Events about something not seen yet (mediabill_common.consumer.Parking implements it)."""

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None: ...

    async def replay(self, waiting_for: str) -> int: ...

    async def replay_many(self, keys: list[str]) -> int: ...


class AccountingUnit(Protocol):
    """One transaction of accounting-svc (a consumed event, an API request): the repositories bound to it, its
    outbox, audit trail and parking lot. Handlers and use cases never commit; the unit's owner does."""

    @property
    def products(self) -> Products: ...

    @property
    def invoices(self) -> Invoices: ...

    @property
    def payments(self) -> Payments: ...

    @property
    def journal(self) -> Journal: ...

    @property
    def periods(self) -> Periods: ...

    @property
    def chart(self) -> Chart: ...

    @property
    def parking(self) -> Parking: ...

    @property
    def ledger_zone(self) -> ZoneInfo:
        """The ledger time zone: posting dates and the period of a timestamp are read in it (C6)."""
        ...

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload) -> None:
        """Queue a catalogued event in the outbox: published once (and only if) the transaction commits."""
        ...

    async def publish_many(self, event_type: str, events: list[tuple[str, str, Payload]]) -> None:
        """`publish` for many events of one type, each given as (key, subject, data), in that order."""
        ...

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None: ...
