"""A product's billing sources over time (oversight.md O1): which delivery source bills its service days.

Each entry names the source whose deliveries bill from `effective_from` on; the other sources' records of those
days are shadow in invoice-svc. Changing the list changes which records bill from the earliest date it changes,
so that date may not fall in or before a period already invoiced for the product (409).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from mediabill_common.events.config_state import BillingSourceEntry
from product_config_svc.domain.contract_terms import last_day_of
from product_config_svc.domain.contracts import InvoicedPeriod, blocking_invoice
from product_config_svc.domain.errors import FieldProblem, RuleViolation, raise_if_any


def billing_source_problems(entries: Sequence[BillingSourceEntry], registered: Collection[str]) \
        -> list[FieldProblem]:
    """Every entry names a registered delivery source, and no two entries take effect the same day."""
    problems: list[FieldProblem] = []
    seen: dict[date, int] = {}
    for i, entry in enumerate(entries):
        if entry.source_system not in registered:
            problems.append(FieldProblem(f"billing_sources[{i}].source_system",
                                         f"{entry.source_system!r} is not a registered delivery source "
                                         "(PUT /v1/delivery-sources/{source_system} first)"))
        if entry.effective_from in seen:
            problems.append(FieldProblem(f"billing_sources[{i}].effective_from",
                                         f"billing_sources[{seen[entry.effective_from]}] already takes effect "
                                         f"{entry.effective_from.isoformat()}"))
        seen.setdefault(entry.effective_from, i)
    return problems


def validate_billing_sources(entries: Sequence[BillingSourceEntry], registered: Collection[str]) \
        -> list[BillingSourceEntry]:
    """The entries ordered by effective date, or InvalidConfiguration (422) naming every bad field."""
    raise_if_any(billing_source_problems(entries, registered))
    return sorted(entries, key=lambda e: e.effective_from)


def first_changed_day(before: Sequence[BillingSourceEntry], after: Sequence[BillingSourceEntry]) -> date | None:
    """The earliest service date whose billing source the change can alter (None: nothing changes): the earliest
    effective date of an entry added, removed or pointed at another source."""
    old = {(e.effective_from, e.source_system) for e in before}
    new = {(e.effective_from, e.source_system) for e in after}
    return min((day for day, _ in old ^ new), default=None)


def check_not_invoiced(code: str, changed_from: date | None, invoiced: list[InvoicedPeriod]) -> None:
    """Refuse (409) a change of billing sources taking effect in or before a period invoiced for the product: the
    days of an issued invoice stay billed from the source that billed them."""
    if changed_from is None:
        return
    blocking = blocking_invoice(changed_from, invoiced)
    if blocking is not None:
        earliest = date.fromordinal(last_day_of(blocking.period).toordinal() + 1)
        raise RuleViolation(
            f"product {code}: a billing source change taking effect {changed_from.isoformat()} would change which "
            f"source billed period {blocking.period}, already invoiced on {blocking.invoice_number}; the earliest "
            f"allowed effective_from is {earliest.isoformat()}",
            invoiced_period=blocking.period, invoice_number=blocking.invoice_number)
