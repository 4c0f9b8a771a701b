"""Use cases of ad products: create, change, add rate cards, check readiness, go live, retire, simulate."""

from __future__ import annotations

from datetime import date
from typing import Any

from mediabill_common.events.config_state import ProductState, RateCard
from product_config_svc.app.common import load
from product_config_svc.app.ports import (
    ConfigUnit,
    CutoverPolicy,
    PriceSimulationFailed,
    PriceSimulator,
    ProductStore,
    SourceReconciler,
    Stored,
)
from product_config_svc.domain import products as rules
from product_config_svc.domain.billing_sources import check_not_invoiced, first_changed_day, validate_billing_sources
from product_config_svc.domain.errors import RuleViolation
from product_config_svc.domain.readiness import (
    CutoverOutcome,
    ReadinessItem,
    SimulationOutcome,
    SourceEntry,
    UpcomingCutover,
    checklist,
    cutover_item,
    cutover_window,
    failing_reasons,
    upcoming_cutover,
)
from product_config_svc.domain.samples import sample_simulation_request


async def create_product(unit: ConfigUnit, product: ProductState, reason: str | None) -> Stored[ProductState]:
    product = rules.validate_product(product.model_copy(update={"status": "draft", "rate_cards": []}))
    version = await unit.products.add(product)
    await unit.changes.record(event_type="ProductCreated", entity_type="product", key=product.code, state=product,
                              version=version, action="create", before=None, reason=reason)
    return Stored(product, version)


async def update_product(unit: ConfigUnit, code: str, changes: dict[str, Any], *, if_match: str | None,
                         reason: str | None) -> Stored[ProductState]:
    stored = await load(unit.products, "product", code, for_update=True, if_match=if_match)
    updated = rules.update_product(stored.state, changes)
    if "billing_sources" in changes:
        updated = await _with_billing_sources(unit, stored.state, updated)
    return await _save(unit, stored, updated, "ProductUpdated", "update", reason)


async def _with_billing_sources(unit: ConfigUnit, before: ProductState, updated: ProductState) -> ProductState:
    """The product with its billing sources validated (registered sources, one per date: 422) and ordered; 409
    when the change would alter which source billed a period already invoiced for the product."""
    entries = updated.billing_sources
    registered = await unit.delivery_sources.get_many(sorted({e.source_system for e in entries}))
    ordered = validate_billing_sources(entries, registered)
    check_not_invoiced(updated.code, first_changed_day(before.billing_sources, ordered),
                       await unit.invoiced.for_product(updated.code))
    return updated.model_copy(update={"billing_sources": ordered})


async def add_rate_card(unit: ConfigUnit, code: str, card: RateCard, *, today: date,
                        reason: str | None) -> Stored[ProductState]:
    stored = await load(unit.products, "product", code, for_update=True)
    updated = rules.add_rate_card(stored.state, card, today=today)
    return await _save(unit, stored, updated, "RateCardAdded", "add_rate_card", reason)


async def _save(unit: ConfigUnit, stored: Stored[ProductState], updated: ProductState, event_type: str,
                action: str, reason: str | None) -> Stored[ProductState]:
    version = await unit.products.save(updated, stored.version)
    await unit.changes.record(event_type=event_type, entity_type="product", key=updated.code, state=updated,
                              version=version, action=action, before=stored.state, reason=reason)
    return Stored(updated, version)


async def run_price_simulation(simulator: PriceSimulator, request: dict[str, Any]) -> SimulationOutcome:
    """Price `request` in invoice-svc and summarise what it said; a failure is an outcome, never skipped."""
    try:
        invoice = await simulator.price(request)
    except PriceSimulationFailed as exc:
        return SimulationOutcome(error=exc.reason)
    return SimulationOutcome(exceptions=tuple(describe_exception(e) for e in invoice.get("exceptions") or []),
                             line_count=len(invoice.get("lines") or []), total=invoice.get("total"),
                             currency=invoice.get("currency"))


def describe_exception(exception: Any) -> str:
    """One billing exception from the simulation in words: its kind, its message and what it refers to."""
    if not isinstance(exception, dict):
        return str(exception)
    text = str(exception.get("kind") or "exception")
    message = exception.get("detail") or exception.get("message") or exception.get("reason")
    if message:
        text += f" ({message})"
    refs = exception.get("refs")
    if isinstance(refs, dict) and refs:
        text += " [" + ", ".join(f"{k}={v}" for k, v in refs.items() if v is not None) + "]"
    return text


async def readiness(products: ProductStore, simulator: PriceSimulator, code: str, *, today: date,
                    reconciler: SourceReconciler | None = None, policy: CutoverPolicy | None = None) \
        -> tuple[Stored[ProductState], list[ReadinessItem]]:
    """The go-live checklist of a product, including a price simulation of sample deliveries, and, while a change
    of its billing source is upcoming (oversight.md O1), whether the new source reconciled with the current one."""
    stored = await load(products, "product", code)
    outcome = await run_price_simulation(simulator, sample_simulation_request(stored.state, today))
    items = checklist(stored.state, outcome)
    cutover = upcoming_cutover(billing_source_entries(stored.state), today)
    if cutover is not None and reconciler is not None:
        items.append(cutover_item(cutover, await reconcile_cutover(reconciler, policy or CutoverPolicy(), code,
                                                                   cutover, today)))
    return stored, items


def billing_source_entries(product: ProductState) -> list[SourceEntry]:
    return [SourceEntry(e.source_system, e.effective_from) for e in getattr(product, "billing_sources", ())]


async def reconcile_cutover(reconciler: SourceReconciler, policy: CutoverPolicy, code: str,
                            cutover: UpcomingCutover, today: date) -> CutoverOutcome:
    """The window's days as invoice-svc reconciles them, the current source on the left."""
    window = tuple(cutover_window(today, policy.days))
    if cutover.current is None:
        return CutoverOutcome(window, policy.tolerance_pct)
    statuses: dict[date, list[str]] = {}
    try:
        for period in sorted({f"{d:%Y-%m}" for d in window}):
            statuses |= await reconciler.day_statuses(
                period=period, product_code=code, left=cutover.current.source_system,
                right=cutover.new.source_system, tolerance_pct=policy.tolerance_pct)
    except PriceSimulationFailed as exc:
        return CutoverOutcome(window, policy.tolerance_pct, error=exc.reason)
    return CutoverOutcome(window, policy.tolerance_pct, statuses)


async def activate_product(unit: ConfigUnit, simulator: PriceSimulator, code: str, *, today: date,
                           reason: str | None) -> Stored[ProductState]:
    """draft -> live when every readiness item passes; otherwise 409 listing every failing item."""
    stored = await load(unit.products, "product", code, for_update=True)
    outcome = await run_price_simulation(simulator, sample_simulation_request(stored.state, today))
    items = checklist(stored.state, outcome)
    try:
        live = rules.activate(stored.state, failing_reasons(items))
    except RuleViolation as exc:
        exc.extra["failing_items"] = [{"item": i.item, "reason": i.reason} for i in items if not i.passed]
        raise
    return await _save(unit, stored, live, "ProductActivated", "activate", reason)


async def retire_product(unit: ConfigUnit, code: str, reason: str | None) -> Stored[ProductState]:
    stored = await load(unit.products, "product", code, for_update=True)
    retired = rules.retire(stored.state, await unit.contracts.active_using_product(code))
    return await _save(unit, stored, retired, "ProductRetired", "retire", reason)
