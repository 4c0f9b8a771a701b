"""The daily cutover check (oversight.md O1): when a product's change of billing source has arrived and the new
source did not reconcile with the current one on each of the last N service days before the cutover date, raise
`cutover_not_ready` (one open per product, raised again the next day if an analyst resolves it while it still
fails); resolve it as the system once the days reconcile or the date is moved out of effect.

The days are compared with the source reconciliation (`GET /v1/reconciliations/sources`): a day is reconciled when
each of its rows is `matched` or `within_tolerance` of the current source's quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.exceptions import SYSTEM, SYSTEM_RESOLVED, publish_resolved, raise_exception
from invoice_svc.app.ports import BillingUnit, SourceDays
from invoice_svc.app.source_reconciliation import SourceReconciliationQuery, reconcile_sources
from invoice_svc.domain.close.source_reconciliation import (
    CUTOVER_NOT_READY,
    Cutover,
    SourceEntry,
    SourceStatus,
    arrived_cutover,
    readiness_window,
    unready_days,
)

RECONCILED = "the new billing source reconciled with the previous one on every day before the cutover"
NOT_IN_EFFECT = "the product no longer changes billing source on this date"


@dataclass
class CutoverCheck:
    """What one daily check did: the products it raised `cutover_not_ready` for and those it resolved."""

    raised: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


def billing_source_entries(product_state: Any) -> list[SourceEntry]:
    """A product state's `billing_sources` as entries (none for a state that names none)."""
    return [SourceEntry(e.source_system, e.effective_from) for e in getattr(product_state, "billing_sources", ())]


async def check_cutovers(unit: BillingUnit, days: SourceDays, today: date, *, window_days: int,
                         tolerance_pct: Decimal, now: datetime) -> CutoverCheck:
    """Check every product's arrived cutover (the caller owns the transaction)."""
    out = CutoverCheck()
    config = await unit.config.load(await unit.snapshot.product_codes(), (), ())
    for code, state in sorted(config.products.items()):
        key = f"{CUTOVER_NOT_READY}:product_code={code}"
        cutover = arrived_cutover(billing_source_entries(state), today)
        if cutover is None:
            if await _resolve(unit, key, NOT_IN_EFFECT):
                out.resolved.append(code)
            continue
        window = readiness_window(cutover.new.effective_from, today, window_days)
        statuses = await day_statuses(unit, days, code, cutover, window, tolerance_pct, now)
        failing = unready_days(statuses, window)
        if not failing:
            if await _resolve(unit, key, RECONCILED):
                out.resolved.append(code)
            continue
        await raise_exception(unit, CUTOVER_NOT_READY, None, {
            "product_code": code, "current_source_system": cutover.current.source_system,
            "source_system": cutover.new.source_system, "effective_from": cutover.new.effective_from.isoformat(),
            "tolerance_pct": format(tolerance_pct, "f"), "unreconciled_days": "; ".join(failing)[:1000]},
            None, None, dedupe_key=key)
        out.raised.append(code)
    return out


async def day_statuses(unit: BillingUnit, days: SourceDays, product_code: str, cutover: Cutover,
                       window: Sequence[date], tolerance_pct: Decimal, now: datetime) \
        -> dict[date, list[SourceStatus]]:
    """Each window day's row statuses, the current source on the left and the new one on the right."""
    statuses: dict[date, list[SourceStatus]] = {}
    for period in sorted({f"{d:%Y-%m}" for d in window}):
        found = await reconcile_sources(unit, days, SourceReconciliationQuery(
            period, cutover.current.source_system, cutover.new.source_system, product_code=product_code,
            tolerance_pct=tolerance_pct), now)
        for row in found.rows:
            statuses.setdefault(row["service_date"], []).append(row["status"])
    return statuses


async def _resolve(unit: BillingUnit, key: str, resolution: str) -> bool:
    open_id = await unit.exceptions.open_id_for_key(key)
    if open_id is None:
        return False
    resolved = await unit.exceptions.mark_resolved(open_id, SYSTEM, resolution, SYSTEM_RESOLVED)
    await publish_resolved(unit, resolved, resolution=resolution, resolved_by=SYSTEM, root_cause=SYSTEM_RESOLVED)
    return True
