"""Which delivery source bills a line item's day (oversight.md O1), while no product names its billing sources.

Two systems can report the same line item's day under different delivery ids (during a migration, PIO and OMS
both do). The first source seen for a (line item, service date) bills it; a record of the same day from any
other source is kept in the ledger but not billed, and raises `source_conflict`: one day is never billed twice.
Revisions apply within a source, so the billing source's revisions keep billing as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

from invoice_svc.domain.ledger.records import DeliveryRecord

SOURCE_CONFLICT = "source_conflict"


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


def _allows(pattern: str, event_source: str) -> bool:
    """A registered event source allows itself; one ending in `/` every source below it."""
    if pattern.endswith("/"):
        return event_source.startswith(pattern) and event_source != pattern
    return event_source == pattern


def source_refusal(source_system: str, event_source: str, registered: Mapping[str, Sequence[str]]) -> str | None:
    """Why a delivery naming `source_system`, published from the CloudEvents `event_source`, is refused (it is
    dead-lettered), or None when it is accepted: a registered system's deliveries come only from its event sources.
    A system nobody registered is accepted, so producers that have not registered keep working."""
    allowed = registered.get(source_system)
    if allowed is None or any(_allows(p, event_source) for p in allowed):
        return None
    return (f"source {event_source[:200]!r} may not publish deliveries of source_system {source_system!r}: "
            f"its registered event sources are {', '.join(allowed)}")
