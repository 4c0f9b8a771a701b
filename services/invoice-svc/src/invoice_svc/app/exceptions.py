"""The billing exception queue's use cases: raise (idempotent on a dedupe key), assign, resolve.

Every change publishes its event through the outbox in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters import exception_repository as repo
from invoice_svc.adapters import invoice_repository as invoices_repo
from invoice_svc.adapters.exception_repository import NewException
from mediabill_common.audit import AuditTrail
from mediabill_common.outbox.writer import OutboxWriter
from mediabill_common.web.etag import check_if_match
from mediabill_common.web.problems import Conflict, NotFound

SYSTEM = "system"
NO_ACCOUNT_KEY = "unassigned"


def default_dedupe_key(kind: str, refs: dict[str, Any]) -> str:
    """`kind` plus the related ids, in a stable order: the same cause gives the same key."""
    return kind + ":" + ",".join(f"{k}={refs[k]}" for k in sorted(refs) if refs[k] is not None)


def new_exception(kind: str, account_id: str | None, refs: dict[str, Any], amount_at_risk: Decimal | None,
                  currency: str | None, *, dedupe_key: str | None = None,
                  delivery_id: str | None = None) -> NewException:
    return NewException(
        exception_id=str(uuid.uuid4()), kind=kind, dedupe_key=dedupe_key or default_dedupe_key(kind, refs),
        account_id=account_id, delivery_id=delivery_id,
        refs={k: (None if v is None else str(v)) for k, v in refs.items()},
        amount_at_risk=amount_at_risk, currency=currency)


async def raise_exceptions(session: AsyncSession, outbox: OutboxWriter, items: Sequence[NewException], *,
                           outbox_table: Table | None = None) -> list[str]:
    """Open each exception unless its dedupe key already has an unresolved one (whose exposure is refreshed).

    Publishes BillingExceptionRaised for each one opened; returns their ids. With `outbox_table` (bill runs,
    which raise thousands at once) the validated envelopes are queued with one COPY and one NOTIFY instead of
    two statements each.
    """
    opened = await repo.insert_open(session, items)
    events = [(item.account_id or NO_ACCOUNT_KEY, outbox.envelope(
        "BillingExceptionRaised", subject=item.exception_id, data={
            "exception_id": item.exception_id, "kind": item.kind, "account_id": item.account_id,
            "refs": item.refs, "amount_at_risk": item.amount_at_risk, "currency": item.currency,
            "raised_at": opened[item.exception_id]})) for item in items if item.exception_id in opened]
    if outbox_table is not None:
        await invoices_repo.queue_events(session, outbox_table, events)
    else:
        for key, envelope in events:
            await outbox.add(session, envelope, key=key)
    return [i.exception_id for i in items if i.exception_id in opened]


async def raise_exception(session: AsyncSession, outbox: OutboxWriter, kind: str, account_id: str | None,
                          refs: dict[str, Any], amount_at_risk: Decimal | None, currency: str | None, *,
                          dedupe_key: str | None = None) -> str:
    """Raise one billing exception of any kind (bill runs, payments and ingestion share the queue).

    Idempotent on `dedupe_key` (default: kind + refs): while an exception with that key is unresolved, raising
    again opens nothing and publishes nothing, and returns the open exception's id.
    """
    item = new_exception(kind, account_id, refs, amount_at_risk, currency, dedupe_key=dedupe_key)
    if await raise_exceptions(session, outbox, [item]):
        return item.exception_id
    existing = await repo.open_id_for_key(session, item.dedupe_key)
    if existing is None:  # resolved by someone else in between: raise it afresh
        return await raise_exception(session, outbox, kind, account_id, refs, amount_at_risk, currency,
                                     dedupe_key=item.dedupe_key)
    return existing


async def publish_resolved(session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail, row: Any, *,
                           resolution: str, resolved_by: str, before: Any = None) -> None:
    await outbox.publish(session, "BillingExceptionResolved", key=row["account_id"] or NO_ACCOUNT_KEY,
                         subject=row["exception_id"], data={
                             "exception_id": row["exception_id"], "resolution": resolution,
                             "resolved_by": resolved_by, "resolved_at": row["resolved_at"]})
    await audit.record(session, actor=resolved_by, action="resolve", entity_type="billing_exception",
                       entity_id=row["exception_id"], reason=resolution, before=before,
                       after={"status": "resolved", "resolved_by": resolved_by})


async def resolve_healed(session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail,
                         verdicts: Sequence[tuple[str, tuple[str, ...]]], kinds_in_scope: Sequence[str],
                         resolution: str) -> int:
    """Resolve, as the system, the open exceptions of re-checked deliveries whose cause has gone away."""
    rows = await repo.resolve_open_for_deliveries(session, verdicts, kinds_in_scope, resolved_by=SYSTEM,
                                                  resolution=resolution)
    for row in rows:
        await publish_resolved(session, outbox, audit, row, resolution=resolution, resolved_by=SYSTEM)
    return len(rows)


async def assign_exception(session: AsyncSession, audit: AuditTrail, exception_id: str, *, assignee: str,
                           actor: str, if_match: str | None) -> Any:
    """Hand an unresolved exception to an analyst (reassigning is allowed)."""
    current = await _current(session, exception_id, if_match)
    if current["status"] == "resolved":
        raise Conflict(f"exception {exception_id} is resolved; a resolved exception cannot be assigned")
    row = await repo.mark_assigned(session, exception_id, assignee)
    await audit.record(session, actor=actor, action="assign", entity_type="billing_exception",
                       entity_id=exception_id, before={"status": current["status"], "assignee": current["assignee"]},
                       after={"status": row["status"], "assignee": assignee})
    return row


async def resolve_exception(session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail, exception_id: str, *,
                            resolution: str, actor: str, if_match: str | None) -> Any:
    """An analyst closes an exception with the reason; publishes BillingExceptionResolved."""
    current = await _current(session, exception_id, if_match)
    if current["status"] == "resolved":
        raise Conflict(f"exception {exception_id} was already resolved by {current['resolved_by']} "
                       f"at {current['resolved_at'].isoformat()}")
    row = await repo.mark_resolved(session, exception_id, actor, resolution)
    await publish_resolved(session, outbox, audit, row, resolution=resolution, resolved_by=actor,
                           before={"status": current["status"], "assignee": current["assignee"]})
    return row


async def _current(session: AsyncSession, exception_id: str, if_match: str | None) -> Any:
    current = await repo.get_exception(session, exception_id, for_update=True)
    if current is None:
        raise NotFound(f"no billing exception with id {exception_id}")
    check_if_match(if_match, current["version"])
    return current
