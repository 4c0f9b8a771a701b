"""One audit timeline per invoice: its issue, every change to its balance with its cause, and its void, in order,
each with who made it and when.

Built from what invoice-svc recorded as it issued the invoice and consumed the events about it: the bill run that
issued it (who requested the run), each receivable entry with the actor its event named (a memo's requester and
approvers, a dispute's opener or resolver, for a payment the system that sent it and the payment id) and the void.
The balance after each step is recomputed with `balance_of` over the entries up to it, so the timeline ends at the
balance the invoice shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance, balance_of
from mediabill_common.money import Money


@dataclass(frozen=True)
class EntryCause:
    """Who caused a receivable entry and what the event said about it, kept with the entry when it is recorded."""

    actor: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedEntry:
    """A receivable entry as recorded: the fact, whether it moved the balance, the event it came from, its cause
    (None for an entry recorded before causes were kept) and when it was recorded."""

    entry: BalanceEntry
    applied: bool
    event_id: str
    cause: EntryCause | None
    recorded_at: datetime


@dataclass(frozen=True)
class Issue:
    """How the invoice was issued: by which bill run, requested by whom, when."""

    at: datetime
    bill_run_id: str
    requested_by: str
    invoice_number: str
    total: Decimal
    currency: str


@dataclass(frozen=True)
class Void:
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True)
class HistoryStep:
    """One change to the invoice: what happened (`kind`: issued, a receivable entry's kind, or void), when, who
    made it, its amount, the balance after it and what the event said (`details`)."""

    at: datetime
    kind: str
    actor: str
    amount: Decimal | None
    currency: str
    balance_after: InvoiceBalance
    reference: str  # the bill run, memo, payment or dispute id
    applied: bool = True
    details: Mapping[str, Any] = field(default_factory=dict)


UNKNOWN_ACTOR = "unknown (recorded before actors were kept)"


def invoice_history(issue: Issue, entries: Sequence[RecordedEntry], void: Void | None) -> list[HistoryStep]:
    """The invoice's timeline: its issue first, then its entries and its void in the order they happened (ties in
    the order they were recorded), each with the balance after it."""
    ordered = sorted(entries, key=lambda r: (r.entry.at, r.recorded_at, r.entry.entry_id))
    total = Money(issue.total, issue.currency)
    steps = [HistoryStep(issue.at, "issued", issue.requested_by, issue.total, issue.currency,
                         balance_of(total, []), issue.bill_run_id,
                         details={"invoice_number": issue.invoice_number, "bill_run_id": issue.bill_run_id})]
    seen: list[BalanceEntry] = []
    voided = False
    events: list[tuple[datetime, int, RecordedEntry | Void]] = [(r.entry.at, 0, r) for r in ordered]
    if void is not None:
        events.append((void.at, 1, void))
    for _, _, item in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(item, Void):
            voided = True
            steps.append(HistoryStep(item.at, "void", item.by, None, issue.currency,
                                     balance_of(total, seen, voided=True), issue.invoice_number,
                                     details={"reason": item.reason}))
            continue
        seen.append(item.entry)
        cause = item.cause
        steps.append(HistoryStep(
            item.entry.at, item.entry.kind, cause.actor if cause is not None else UNKNOWN_ACTOR,
            item.entry.amount if item.entry.currency != "XXX" else None, item.entry.currency,
            balance_of(total, seen, voided=voided), item.entry.entry_id, item.applied,
            dict(cause.details) if cause is not None else {}))
    return steps
