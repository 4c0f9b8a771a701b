"""Turning billability verdicts into exceptions: raise what a record now fails, resolve what it no longer does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from invoice_svc.app.exceptions import new_exception, raise_exceptions, resolve_healed
from invoice_svc.app.ports import ConfigKind, InvoiceUnit
from invoice_svc.app.stored import NewException
from invoice_svc.domain.ledger.billability import check_billability
from invoice_svc.domain.ledger.records import INGESTION_KINDS, Billability, DeliveryKey, DeliveryRecord, delivery_key
from invoice_svc.domain.ledger.sources import SOURCE_CONFLICT, BillingSource, ServiceDay, service_day

HEALED = "configuration received that makes the delivery billable for this check"
SOURCES_CHANGED = "the product's billing sources changed which source bills this day"


def delivery_exception(record: DeliveryRecord, kind: str, verdict: Billability) -> NewException:
    """One exception per (delivery, kind), whatever the revision: the dedupe key leaves the revision out (and
    names the source: a delivery_id is unique within its source)."""
    refs = {"delivery_id": record.delivery_id, "source_system": record.source_system,
            "line_item_id": record.line_item_id,
            "contract_id": record.contract_id, "product_code": record.product_code,
            "delivery_date": record.delivery_date.isoformat(), "revision": str(record.revision)}
    if kind == SOURCE_CONFLICT and verdict.billing_source is not None:
        billing_source, billing_delivery = verdict.billing_source
        refs |= {"billing_source_system": billing_source, "billing_delivery_id": billing_delivery}
    return new_exception(kind, record.account_id, refs, verdict.amount_at_risk, verdict.currency,
                         dedupe_key=f"delivery:{record.source_system}:{record.delivery_id}:{kind}",
                         delivery=delivery_key(record), quantity=verdict.quantity, unit=verdict.unit)


async def sync_delivery_exceptions(
    unit: InvoiceUnit, *, raised: Sequence[tuple[DeliveryRecord, str, Billability]],
    rechecked: Sequence[tuple[DeliveryKey, tuple[str, ...]]], resolution: str,
) -> None:
    """Open an exception per (record, kind) in `raised`; resolve as the system the open delivery exceptions
    of the `rechecked` ((source_system, delivery_id), current kinds) whose kind is no longer among the current kinds."""
    if rechecked:
        await resolve_healed(unit, rechecked, INGESTION_KINDS, resolution)
    if raised:
        await raise_exceptions(unit, [delivery_exception(r, k, v) for r, k, v in raised])


async def recheck_held(unit: InvoiceUnit, reference: ConfigKind, key: str) -> None:
    """Re-check every non-billable record referencing what changed, in one pass: records it makes billable
    are released and their exceptions resolve themselves; a new cause raises its own exception."""
    held = await unit.ledger.held_referencing(reference, key)
    if not held:
        return
    records = [r for r, _ in held]
    config = await unit.config.load({r.product_code for r in records}, {r.account_id for r in records},
                                    {r.contract_id for r in records if r.contract_id})
    sources = await unit.ledger.billing_sources({service_day(r) for r in records})
    rechecked: list[tuple[DeliveryKey, tuple[str, ...]]] = []
    raised: list[tuple[DeliveryRecord, str, Billability]] = []
    shadow: set[DeliveryKey] = set()
    for record, held_kinds in held:
        verdict = check_billability(record, config, sources.get(service_day(record)))
        rechecked.append((delivery_key(record), verdict.kinds))
        if verdict.shadow:
            shadow.add(delivery_key(record))
        # Only causes new to the record are raised: one an analyst already closed is not reopened here.
        raised.extend((record, k, verdict) for k in verdict.kinds if k not in held_kinds)
    await unit.ledger.set_billability(rechecked, shadow)
    await sync_delivery_exceptions(unit, raised=raised, rechecked=rechecked, resolution=HEALED)


async def recheck_billing_sources(unit: InvoiceUnit, code: str, from_day: date) -> None:
    """After a product's billing sources changed from `from_day`: decide again, for each of its records dated
    from then, whether it bills, is shadow or conflicts (`sources.source_role`), so the next bill run and the
    billing status read the new choice without re-ingesting. A record turned shadow has its exceptions resolved
    (another source bills its day); a source_conflict the named source settles resolves itself."""
    held = await unit.ledger.of_product_from(code, from_day)
    if not held:
        return
    config = await unit.config.load({code}, {r.account_id for r, _, _ in held},
                                    {r.contract_id for r, _, _ in held if r.contract_id})
    first: dict[ServiceDay, BillingSource] = {}
    for record, _, _ in held:  # each day's first-seen billing record comes first
        first.setdefault(service_day(record), BillingSource(record.source_system, record.delivery_id))
    rechecked: list[tuple[DeliveryKey, tuple[str, ...]]] = []
    raised: list[tuple[DeliveryRecord, str, Billability]] = []
    shadow: set[DeliveryKey] = set()
    for record, kinds, was_shadow in held:
        verdict = check_billability(record, config, first[service_day(record)])
        if (verdict.kinds, verdict.shadow) == (kinds, was_shadow):
            continue
        rechecked.append((delivery_key(record), verdict.kinds))
        if verdict.shadow:
            shadow.add(delivery_key(record))
        raised.extend((record, k, verdict) for k in verdict.kinds if k not in kinds)
    await unit.ledger.set_billability(rechecked, shadow)
    await sync_delivery_exceptions(unit, raised=raised, rechecked=rechecked, resolution=SOURCES_CHANGED)
