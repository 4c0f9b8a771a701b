"""The drift of an issued invoice (oversight.md O3): re-pricing exactly the ledger revisions it consumed, with the
terms and the already-billed amounts in effect when it was issued, minus what was issued for them (its own lines
plus the prior-period lines later billed against it).

Both sides are compared per billed component: each contract line's usage (or flat fee), the discount, the agency
commission and the tax of each tax code -- the granularity at which rule 13 bills corrections, so the lines billed
later against the invoice fall in the same place as its own. A component whose amounts differ is a
`LineCorrection`: a debit part when too little was billed, a credit part when too much was, each for the invoice
line an adjustment request names. Revisions that arrived after the invoice and are not billed yet are its
`pending_adjustment` (rule 13 bills them with the next run), never drift. Memos issued against the invoice are
shown beside the drift by the caller, never netted against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from invoice_svc.domain.pricing import DraftLine, PeriodBilled

ZERO = Decimal(0)


def component_key(ln: DraftLine) -> str:
    """The component a line bills: `usage:<line item>`, `discount`, `agency_commission` or `tax:<code>`."""
    if ln.component == "usage":
        return f"usage:{ln.line_item_id or ''}"
    if ln.component == "tax":
        return f"tax:{ln.tax_code or ''}"
    return ln.component


def _amounts(billed: PeriodBilled) -> dict[str, Decimal]:
    out = {f"usage:{k}": v for k, v in billed.usage_by_line.items()}
    out.update({f"tax:{k}": v for k, v in billed.tax_by_code.items()})
    if billed.discount:
        out["discount"] = billed.discount
    if billed.commission:
        out["agency_commission"] = billed.commission
    return out


def line_ids_by_component(lines: Iterable[DraftLine]) -> dict[str, str]:
    """The invoice line an adjustment of each component names: the first of the invoice's own lines billing it
    (over-delivery lines, at 0.00, and lines carried for other periods left out)."""
    out: dict[str, str] = {}
    for ln in lines:
        if ln.kind in ("over_delivery", "prior_period_adjustment"):
            continue
        out.setdefault(component_key(ln), ln.invoice_line_id)
    return out


@dataclass(frozen=True)
class LineCorrection:
    """One component whose re-priced amount differs from what was issued for it, and why."""

    component: str
    invoice_line_id: str | None
    line_item_id: str | None
    issued: Decimal
    repriced: Decimal
    issued_quantity: int | None
    repriced_quantity: int | None
    causes: tuple[str, ...]

    @property
    def difference(self) -> Decimal:
        """Re-priced minus issued: positive when the invoice billed too little."""
        return self.repriced - self.issued

    @property
    def debit(self) -> Decimal:
        """What a debit memo would add for this line (0 when nothing is owed)."""
        return max(self.difference, ZERO)

    @property
    def credit(self) -> Decimal:
        """What a credit memo would take off this line (0 when nothing was overbilled)."""
        return max(-self.difference, ZERO)


@dataclass(frozen=True)
class InvoiceDrift:
    """An invoice's drift: the components that differ, and what arrived since issue that is not billed yet."""

    lines: tuple[LineCorrection, ...]
    pending_adjustment: Decimal = ZERO

    @property
    def drifted(self) -> bool:
        return bool(self.lines)

    @property
    def credit_total(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), ZERO)

    @property
    def debit_total(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    @property
    def value(self) -> Decimal:
        """How much is wrong either way: the credit and debit parts added (they never cancel out)."""
        return self.credit_total + self.debit_total

    @property
    def causes(self) -> tuple[str, ...]:
        """Every input named as changed by any of its lines, in a stable order."""
        return tuple(sorted({c for ln in self.lines for c in ln.causes}))


def line_causes(component: str, issued_quantity: int | None, repriced_quantity: int | None,
                changed: Mapping[str, Sequence[str]], product_of_line: Mapping[str, str]) -> tuple[str, ...]:
    """The inputs that explain a component's difference: a different usage quantity is a ledger revision; a
    changed rate card counts where the line's product is one of those changed; contract terms, the bill-to
    account and the engine version count for every line. `unexplained` when none of them changed."""
    causes: list[str] = []
    if issued_quantity is not None and repriced_quantity is not None and issued_quantity != repriced_quantity:
        causes.append("ledger_revision")
    line_item = component.split(":", 1)[1] if component.startswith("usage:") else None
    rate_cards = changed.get("rate_card", ())
    if rate_cards and (line_item is None or product_of_line.get(line_item) in rate_cards):
        causes.append("rate_card")
    causes.extend(k for k in ("contract_terms", "billing_account", "engine_version") if k in changed)
    return tuple(causes) or ("unexplained",)


def invoice_drift(issued: PeriodBilled, repriced: PeriodBilled, *, line_ids: Mapping[str, str],
                  changed: Mapping[str, Sequence[str]], product_of_line: Mapping[str, str],
                  pending_adjustment: Decimal = ZERO) -> InvoiceDrift:
    """Compare what was issued for an invoice's period (`summarise_billed` of its lines and the adjustments later
    billed against it) with its re-pricing (`summarise_billed` of the re-priced draft's own lines).

    `line_ids` names the invoice line of each component (`line_ids_by_component`), `changed` the inputs that
    differ from those recorded at issue (`PricingInputs.changed`), `product_of_line` each contract line's product.
    Quantities are compared for usage components where both sides carry one.
    """
    before, after = _amounts(issued), _amounts(repriced)
    out: list[LineCorrection] = []
    # usage first: the discount, commission and tax are computed from it, and inherit its causes
    for component in sorted(before.keys() | after.keys(), key=lambda c: (not c.startswith("usage:"), c)):
        was, now = before.get(component, ZERO), after.get(component, ZERO)
        if was == now:
            continue
        line_item = component.split(":", 1)[1] if component.startswith("usage:") else None
        q_was = issued.quantity_by_line.get(line_item) if line_item is not None else None
        q_now = repriced.quantity_by_line.get(line_item) if line_item is not None else None
        causes = line_causes(component, q_was, q_now, changed, product_of_line)
        if causes == ("unexplained",) and line_item is None:
            causes = tuple(sorted({c for ln in out for c in ln.causes})) or causes
        out.append(LineCorrection(component, line_ids.get(component), line_item, was, now, q_was, q_now, causes))
    return InvoiceDrift(tuple(out), pending_adjustment)


def pending_adjustment(at_issue: PeriodBilled, now: PeriodBilled) -> Decimal:
    """What the period's revisions that arrived after issue (and are not billed yet) would change the invoice's
    total by: the re-pricing with today's revisions minus the re-pricing with those the invoice consumed."""
    return sum(_amounts(now).values(), ZERO) - sum(_amounts(at_issue).values(), ZERO)
