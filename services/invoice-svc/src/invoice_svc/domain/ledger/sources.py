"""Which delivery source bills a line item's day (oversight.md O1).

Two systems can report the same line item's day under different delivery ids (during a migration, PIO and OMS
both do). A product that names its billing sources (`billing_sources`: a source per effective date) is billed from
the source in effect on the service date; every other source's records of its days are shadow: stored, never
billed, raising no exception. Where no entry is in effect yet (no `billing_sources`, or a day before the first
entry), the first source seen for a (line item, service date) bills it; a record of the same day from any other
source is kept in the ledger but not billed, and raises `source_conflict`: one day is never billed twice.
Revisions apply within a source, so the billing source's revisions keep billing as before.

`source_role` is the one place the choice is made for the ledger: ingestion and the re-check after a product's
billing sources change both ask it, so bill runs and billing status read the flags it set. A shadow preview priced
"as if source X billed" makes no choice of its own: it bills X's records where the ledger flagged them shadow (or
`source_conflict`) instead of the billing source's (adapters/bill_run_snapshot_repository.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal, NamedTuple

from invoice_svc.domain.ledger.records import DeliveryRecord
from mediabill_common.events.config_state import BillingSourceEntry

SOURCE_CONFLICT = "source_conflict"

# What a record is to its service day: the one billing it, a shadow of the named billing source, or a second
# source under the first-seen rule (held with `source_conflict`).
SourceRole = Literal["bills", "shadow", "conflict"]


class ServiceDay(NamedTuple):
    """A line item's service date: the unit one source bills."""

    line_item_id: str
    delivery_date: date


class BillingSource(NamedTuple):
    """The source that bills a service day, and the delivery it was first seen with."""

    source_system: str
    delivery_id: str


def service_day(record: DeliveryRecord) -> ServiceDay:
    """The (line item, service date) a record reports."""
    return ServiceDay(record.line_item_id, record.delivery_date)


def first_seen(records: Iterable[DeliveryRecord]) -> dict[ServiceDay, BillingSource]:
    """For each service day, the source of the first record to arrive, `records` being in arrival order."""
    first: dict[ServiceDay, BillingSource] = {}
    for record in records:
        first.setdefault(service_day(record), BillingSource(record.source_system, record.delivery_id))
    return first


def billing_sources(held: Mapping[ServiceDay, BillingSource], arriving: Iterable[DeliveryRecord]) \
        -> dict[ServiceDay, BillingSource]:
    """The billing source of each day: the one the ledger already holds, else the batch's first arrival."""
    return first_seen(arriving) | dict(held)


def conflicting_source(record: DeliveryRecord, billing: BillingSource | None) -> BillingSource | None:
    """The source billing the record's day when it is not the record's own (the record must not bill), else None.

    A day no source has claimed yet is the record's own to bill.
    """
    if billing is None or billing.source_system == record.source_system:
        return None
    return billing


def source_in_effect(billing_sources: Sequence[BillingSourceEntry], on: date) -> str | None:
    """The source a product names for service date `on`: the entry with the latest `effective_from` on or before
    it; None when no entry is in effect yet (the first-seen rule applies to that day)."""
    named = [e for e in billing_sources if e.effective_from <= on]
    return max(named, key=lambda e: e.effective_from).source_system if named else None


def source_role(record: DeliveryRecord, billing_sources: Sequence[BillingSourceEntry],
                first: BillingSource | None) -> SourceRole:
    """Whether `record` bills its day, is a shadow of the named billing source, or conflicts with the first source
    seen (`first`: the day's first-seen source, None when nobody claimed it).

    `billing_sources`: the record's product's entries.
    """
    named = source_in_effect(billing_sources, record.delivery_date)
    if named is not None:
        return "bills" if record.source_system == named else "shadow"
    return "bills" if conflicting_source(record, first) is None else "conflict"


def first_changed_day(before: Sequence[BillingSourceEntry], after: Sequence[BillingSourceEntry]) -> date | None:
    """The earliest service date whose named source a change of billing sources can alter (None: none): the
    earliest effective date of an entry added, removed or pointed at another source."""
    old = {(e.effective_from, e.source_system) for e in before}
    new = {(e.effective_from, e.source_system) for e in after}
    return min((day for day, _ in old ^ new), default=None)


def _allows(pattern: str, event_source: str) -> bool:
    """A registered event source allows itself; one ending in `/` every source below it."""
    if pattern.endswith("/"):
        return event_source.startswith(pattern) and event_source != pattern
    return event_source == pattern


def source_refusal(source_system: str, event_source: str, registered: Mapping[str, Sequence[str]], *,
                   any_registered: bool) -> str | None:
    """Why a delivery naming `source_system`, published from the CloudEvents `event_source`, is refused (it is
    dead-lettered), or None when it is accepted: a registered system's deliveries come only from its event sources,
    and once any system is registered (`any_registered`), a system nobody registered is refused. Before the first
    registration every system is accepted, so a deployment that has not registered its sources keeps working."""
    allowed = registered.get(source_system)
    if allowed is None:
        if not any_registered:
            return None
        return (f"source_system {source_system[:200]!r} is not a registered delivery source: register it with "
                f"PUT /v1/delivery-sources/{source_system[:200]} on product-config-svc, then replay the message")
    if any(_allows(p, event_source) for p in allowed):
        return None
    return (f"source {event_source[:200]!r} may not publish deliveries of source_system {source_system!r}: "
            f"its registered event sources are {', '.join(allowed)}")
