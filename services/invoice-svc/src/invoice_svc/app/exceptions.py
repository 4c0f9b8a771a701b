"""The billing exception queue's use cases: raise (idempotent on a dedupe key), assign, resolve.

Every change publishes its event through the outbox in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.app.stored import NewException, QueuedException, ResolvedException
from invoice_svc.domain.billing.exposure import exposure_of
from invoice_svc.domain.errors import RuleViolation, UnknownEntity, check_version
from invoice_svc.domain.ledger.records import DeliveryKey

SYSTEM = "system"
SYSTEM_RESOLVED = "system_resolved"  # the root cause of an exception that resolved itself (oversight.md O4)
NO_ACCOUNT_KEY = "unassigned"


def default_dedupe_key(kind: str, refs: dict[str, Any]) -> str:
    """`kind` plus the related ids, in a stable order: the same cause gives the same key."""
    return kind + ":" + ",".join(f"{k}={refs[k]}" for k in sorted(refs) if refs[k] is not None)


def new_exception(kind: str, account_id: str | None, refs: dict[str, Any], amount: Decimal | None,
                  currency: str | None, *, dedupe_key: str | None = None, delivery: DeliveryKey | None = None,
                  quantity: int | None = None, unit: str | None = None) -> NewException:
    """An exception to raise. `amount` is the value the exception is about: over-delivery for the kinds that
    report it (`over_delivery_value`), else `amount_at_risk` (revenue at risk for the held-back kinds, see
    domain.billing.exposure). `quantity` and `unit` say what is held back, priced or not."""
    over = exposure_of(kind) == "over_delivery"
    return NewException(
        exception_id=str(uuid.uuid4()), kind=kind, dedupe_key=dedupe_key or default_dedupe_key(kind, refs),
        account_id=account_id, delivery_id=delivery[1] if delivery else None,
        source_system=delivery[0] if delivery else None,
        refs={k: (None if v is None else str(v)) for k, v in refs.items()},
        amount_at_risk=None if over else amount, currency=currency,
        over_delivery_value=amount if over else None, quantity=quantity, unit=unit)


async def raise_exceptions(unit: InvoiceUnit, items: Sequence[NewException], *, bulk: bool = False) -> list[str]:
    """Open each exception unless its dedupe key already has an unresolved one (whose exposure is refreshed).

    Publishes BillingExceptionRaised for each one opened; returns their ids. `bulk` (bill runs, which raise
    thousands at once) queues the validated envelopes with one COPY and one NOTIFY instead of two statements each.
    """
    opened = await unit.exceptions.insert_open(items)
    raised = [(item.account_id or NO_ACCOUNT_KEY, item.exception_id, {
        "exception_id": item.exception_id, "kind": item.kind, "account_id": item.account_id, "refs": item.refs,
        "amount_at_risk": item.amount_at_risk, "currency": item.currency, "raised_at": opened[item.exception_id],
        "over_delivery_value": item.over_delivery_value, "quantity": item.quantity, "unit": item.unit})
        for item in items if item.exception_id in opened]
    if bulk:
        await unit.publish_all([(key, unit.envelope("BillingExceptionRaised", subject=subject, data=data))
                                for key, subject, data in raised])
    else:
        for key, subject, data in raised:
            await unit.publish("BillingExceptionRaised", key=key, subject=subject, data=data)
    return [i.exception_id for i in items if i.exception_id in opened]


async def raise_exception(unit: InvoiceUnit, kind: str, account_id: str | None,
                          refs: dict[str, Any], amount_at_risk: Decimal | None, currency: str | None, *,
                          dedupe_key: str | None = None) -> str:
    """Raise one billing exception of any kind (bill runs, payments and ingestion share the queue).

    Idempotent on `dedupe_key` (default: kind + refs): while an exception with that key is unresolved, raising
    again opens nothing and publishes nothing, and returns the open exception's id.
    """
    item = new_exception(kind, account_id, refs, amount_at_risk, currency, dedupe_key=dedupe_key)
    if await raise_exceptions(unit, [item]):
        return item.exception_id
    existing = await unit.exceptions.open_id_for_key(item.dedupe_key)
    if existing is None:  # resolved by someone else in between: raise it afresh
        return await raise_exception(unit, kind, account_id, refs, amount_at_risk, currency,
                                     dedupe_key=item.dedupe_key)
    return existing


async def publish_resolved(unit: InvoiceUnit, resolved: QueuedException | ResolvedException, *, resolution: str,
                           resolved_by: str, root_cause: str | None, before: Any = None) -> None:
    await unit.publish("BillingExceptionResolved", key=resolved.account_id or NO_ACCOUNT_KEY,
                              subject=resolved.exception_id, data={
                                  "exception_id": resolved.exception_id, "resolution": resolution,
                                  "resolved_by": resolved_by, "resolved_at": resolved.resolved_at,
                                  "root_cause": root_cause})
    await unit.record_audit(actor=resolved_by, action="resolve", entity_type="billing_exception",
                                entity_id=resolved.exception_id, reason=resolution, before=before,
                                after={"status": "resolved", "resolved_by": resolved_by,
                                       "root_cause": root_cause})


async def resolve_healed(unit: InvoiceUnit, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                         kinds_in_scope: Sequence[str], resolution: str) -> int:
    """Resolve, as the system, the open exceptions of re-checked deliveries whose cause has gone away."""
    resolved = await unit.exceptions.resolve_open_for_deliveries(verdicts, kinds_in_scope, resolved_by=SYSTEM,
                                                                 resolution=resolution)
    for exception in resolved:
        await publish_resolved(unit, exception, resolution=resolution, resolved_by=SYSTEM,
                               root_cause=SYSTEM_RESOLVED)
    return len(resolved)


async def assign_exception(unit: InvoiceUnit, exception_id: str, *, assignee: str, actor: str,
                           if_match: str | None) -> QueuedException:
    """Hand an unresolved exception to an analyst (reassigning is allowed)."""
    current = await _current(unit, exception_id, if_match)
    if current.status == "resolved":
        raise RuleViolation(f"exception {exception_id} is resolved; a resolved exception cannot be assigned")
    assigned = await unit.exceptions.mark_assigned(exception_id, assignee)
    await unit.record_audit(actor=actor, action="assign", entity_type="billing_exception",
                                entity_id=exception_id, before={"status": current.status, "assignee": current.assignee},
                                after={"status": assigned.status, "assignee": assignee})
    return assigned


async def resolve_exception(unit: InvoiceUnit, exception_id: str, *, resolution: str, actor: str,
                            if_match: str | None, root_cause: str | None = None) -> QueuedException:
    """An analyst closes an exception with the reason; publishes BillingExceptionResolved."""
    current = await _current(unit, exception_id, if_match)
    if current.status == "resolved":
        at = current.resolved_at.isoformat() if current.resolved_at else "an unknown time"
        raise RuleViolation(f"exception {exception_id} was already resolved by {current.resolved_by} at {at}")
    resolved = await unit.exceptions.mark_resolved(exception_id, actor, resolution, root_cause)
    await publish_resolved(unit, resolved, resolution=resolution, resolved_by=actor, root_cause=root_cause,
                           before={"status": current.status, "assignee": current.assignee})
    return resolved


async def _current(unit: InvoiceUnit, exception_id: str, if_match: str | None) -> QueuedException:
    current = await unit.exceptions.get(exception_id, for_update=True)
    if current is None:
        raise UnknownEntity(f"no billing exception with id {exception_id}")
    check_version(if_match, current.version)
    return current
