"""The go-live checklist of an ad product: every item passes or fails with a reason; none is ever skipped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from mediabill_common.events.config_state import ProductState
from product_config_svc.domain.products import GL_ACCOUNT_FORMAT, RATED_MODELS, gl_format_message

CHECKLIST = ("pricing_model", "gl_revenue_account", "tax_code", "invoice_description", "price_simulation")


@dataclass(frozen=True)
class ReadinessItem:
    """One checklist item: its name, whether it passes, and why."""

    item: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class SimulationOutcome:
    """What invoice-svc's price simulation said about the sample deliveries (None error = it answered)."""

    error: str | None = None
    exceptions: tuple[str, ...] = ()
    line_count: int = 0
    total: str | None = None
    currency: str | None = None


def pricing_item(product: ProductState) -> ReadinessItem:
    """The pricing model is complete for its kind (rate card, contract pricing, media cost or contract fee)."""
    model = product.pricing_model
    if model == "auction_cpc":
        return ReadinessItem("pricing_model", True, "auction_cpc bills the auction-cleared media cost; no rate "
                                                    "needed")
    if model == "flat_fee":
        return ReadinessItem("pricing_model", True, "flat_fee needs no rate card: each contract line carries "
                                                    "its fee")
    if product.contract_priced:
        return ReadinessItem("pricing_model", True, f"{model} is contract priced: every contract line must "
                                                    "carry a negotiated rate")
    if product.rate_cards:
        versions = ", ".join(f"{c.currency} from {c.effective_from.isoformat()}" for c in product.rate_cards)
        return ReadinessItem("pricing_model", True, f"{model} rate card present ({versions})")
    return ReadinessItem("pricing_model", False, f"{model} needs a rate card, or must be marked contract_priced "
                                                 "so every contract carries the rate")


def gl_item(product: ProductState) -> ReadinessItem:
    value = product.gl_revenue_account
    if not value:
        return ReadinessItem("gl_revenue_account", False, "no GL revenue account: revenue could not be posted")
    if not GL_ACCOUNT_FORMAT.match(value):
        return ReadinessItem("gl_revenue_account", False, gl_format_message(value))
    return ReadinessItem("gl_revenue_account", True, f"GL revenue account {value} is well-formed")


def tax_item(product: ProductState) -> ReadinessItem:
    if not product.tax_code:
        return ReadinessItem("tax_code", False, "no tax code: invoices could not apply the bill-to's tax rate")
    return ReadinessItem("tax_code", True, f"tax code {product.tax_code}")


def description_item(product: ProductState) -> ReadinessItem:
    if not (product.invoice_description or "").strip():
        return ReadinessItem("invoice_description", False, "no invoice description: invoice lines would have no "
                                                           "text")
    return ReadinessItem("invoice_description", True, "invoice description present")


def static_items(product: ProductState) -> list[ReadinessItem]:
    """The checklist items that need no call to invoice-svc."""
    return [pricing_item(product), gl_item(product), tax_item(product), description_item(product)]


def simulation_item(outcome: SimulationOutcome) -> ReadinessItem:
    """Sample deliveries priced by invoice-svc without an error, an exception or an empty invoice."""
    if outcome.error is not None:
        return ReadinessItem("price_simulation", False, outcome.error)
    if outcome.exceptions:
        return ReadinessItem("price_simulation", False, "the simulation raised billing exceptions: "
                                                        + "; ".join(outcome.exceptions))
    if outcome.line_count == 0:
        return ReadinessItem("price_simulation", False, "the simulation priced the sample deliveries into no "
                                                        "invoice lines")
    return ReadinessItem("price_simulation", True, f"sample deliveries priced into {outcome.line_count} line(s), "
                                                   f"total {outcome.total} {outcome.currency}")


def checklist(product: ProductState, outcome: SimulationOutcome) -> list[ReadinessItem]:
    """Every item of the go-live checklist, in a stable order."""
    return [*static_items(product), simulation_item(outcome)]


def failing_reasons(items: list[ReadinessItem]) -> list[str]:
    return [f"{i.item}: {i.reason}" for i in items if not i.passed]


def needs_rate_card(product: ProductState) -> bool:
    return product.pricing_model in RATED_MODELS and not product.contract_priced


# ---- billing-source cutover (oversight.md O1) ----------------------------------------------------------------------
CUTOVER_ITEM = "billing_source_cutover"
RECONCILED_STATUSES = frozenset({"matched", "within_tolerance"})


class SourceEntry(NamedTuple):
    """A product's billing source from a service date on (its `billing_sources` entry)."""

    source_system: str
    effective_from: date


class UpcomingCutover(NamedTuple):
    """The next change of billing source: `current` (None when no entry is in effect yet) until `new`."""

    current: SourceEntry | None
    new: SourceEntry


def upcoming_cutover(entries: Sequence[SourceEntry], today: date) -> UpcomingCutover | None:
    """The first entry that takes effect after `today`, with the one in effect on it (None: nothing upcoming)."""
    future = sorted((e for e in entries if e.effective_from > today), key=lambda e: e.effective_from)
    if not future:
        return None
    past = [e for e in entries if e.effective_from <= today]
    return UpcomingCutover(max(past, key=lambda e: e.effective_from) if past else None, future[0])


def cutover_window(today: date, days: int) -> list[date]:
    """The last `days` service days before `today`: the days the new source must have reconciled on."""
    return [today - timedelta(days=n) for n in range(days, 0, -1)]


def unreconciled(statuses: Mapping[date, Sequence[str]], window: Sequence[date]) -> list[str]:
    """Why each day of the window is not reconciled (empty: every day is): no delivery from either source, or a
    row of the day neither `matched` nor `within_tolerance`."""
    reasons: list[str] = []
    for day in window:
        found = statuses.get(day, ())
        if not found:
            reasons.append(f"{day.isoformat()}: no delivery from either source")
            continue
        off = sorted(s for s in found if s not in RECONCILED_STATUSES)
        if off:
            reasons.append(f"{day.isoformat()}: " + ", ".join(f"{off.count(s)} {s}" for s in dict.fromkeys(off)))
    return reasons


@dataclass(frozen=True)
class CutoverOutcome:
    """What invoice-svc's source reconciliation said about the window's days (None error = it answered)."""

    window: tuple[date, ...]
    tolerance_pct: Decimal
    statuses: Mapping[date, Sequence[str]] = field(default_factory=dict)
    error: str | None = None


def cutover_item(cutover: UpcomingCutover, outcome: CutoverOutcome) -> ReadinessItem:
    """Passes when the new source reconciled within tolerance against the current one on each window day."""
    new = cutover.new
    when = f"{new.source_system} from {new.effective_from.isoformat()}"
    if cutover.current is None:
        return ReadinessItem(CUTOVER_ITEM, False, f"{when}: no billing source is named before it, so there is no "
                                                  "current source to reconcile against; add an entry for the "
                                                  "source billing today")
    if outcome.error is not None:
        return ReadinessItem(CUTOVER_ITEM, False, f"{when}: {outcome.error}")
    failing = unreconciled(outcome.statuses, outcome.window)
    span = f"{outcome.window[0].isoformat()}..{outcome.window[-1].isoformat()}"
    against = f"against {cutover.current.source_system} within {outcome.tolerance_pct}%"
    if failing:
        return ReadinessItem(CUTOVER_ITEM, False, f"{when}: not reconciled {against} on {len(failing)} of the "
                                                  f"{len(outcome.window)} days {span}: " + "; ".join(failing[:7]))
    return ReadinessItem(CUTOVER_ITEM, True, f"{when}: reconciled {against} on each of the {len(outcome.window)} "
                                             f"days {span}")
