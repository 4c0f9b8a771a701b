"""The go-live checklist of an ad product: every item passes or fails with a reason; none is ever skipped."""

from __future__ import annotations

from dataclasses import dataclass

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
