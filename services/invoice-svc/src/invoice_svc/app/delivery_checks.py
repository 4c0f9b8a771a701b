"""Turning billability verdicts into exceptions: raise what a record now fails, resolve what it no longer does."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.exception_repository import NewException
from invoice_svc.app.exceptions import new_exception, raise_exceptions, resolve_healed
from invoice_svc.domain.ledger.records import INGESTION_KINDS, Billability, DeliveryRecord
from mediabill_common.audit import AuditTrail
from mediabill_common.outbox.writer import OutboxWriter


def delivery_exception(record: DeliveryRecord, kind: str, verdict: Billability) -> NewException:
    """One exception per (delivery, kind), whatever the revision: the dedupe key leaves the revision out."""
    refs = {"delivery_id": record.delivery_id, "line_item_id": record.line_item_id,
            "contract_id": record.contract_id, "product_code": record.product_code,
            "delivery_date": record.delivery_date.isoformat(), "revision": str(record.revision)}
    return new_exception(kind, record.account_id, refs, verdict.amount_at_risk, verdict.currency,
                         dedupe_key=f"delivery:{record.delivery_id}:{kind}", delivery_id=record.delivery_id)


async def sync_delivery_exceptions(
    session: AsyncSession, outbox: OutboxWriter, audit: AuditTrail, *,
    raised: Sequence[tuple[DeliveryRecord, str, Billability]],
    rechecked: Sequence[tuple[str, tuple[str, ...]]], resolution: str,
) -> None:
    """Open an exception per (record, kind) in `raised`; resolve as the system the open delivery exceptions
    of the `rechecked` (delivery_id, current kinds) whose kind is no longer among the current kinds."""
    if rechecked:
        await resolve_healed(session, outbox, audit, rechecked, INGESTION_KINDS, resolution)
    if raised:
        await raise_exceptions(session, outbox, [delivery_exception(r, k, v) for r, k, v in raised])
