"""What the pricing engine returns: a draft invoice of rounded lines, its totals and its exceptions (as data)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from invoice_svc.domain.pricing.inputs import PeriodBilled
from mediabill_common.money import Money, quantum

LineKind = Literal["usage", "flat_fee", "discount", "agency_commission", "tax", "prior_period_adjustment",
                   "over_delivery"]
# Which invoice total a line counts in; prior-period adjustment lines count in the total of what they adjust.
Component = Literal["usage", "discount", "agency_commission", "tax"]

# Namespace of the deterministic invoice_line_id (uuid5 of seed + line identity).
LINE_ID_NAMESPACE = uuid.UUID("6f1d7c1e-3b5a-5d8e-9c41-0b7e2a9f4d10")

# A draft's totals, by their names in the catalog's `InvoiceIssued`.
TOTALS = ("subtotal", "discount_total", "commission_total", "tax_total", "total")

# Exceptions after which the draft must not be issued as it stands.
BLOCKING_KINDS = frozenset({"missing_rate", "missing_third_party_counts", "currency_mismatch", "missing_media_cost",
                            "unknown_product", "negative_invoice"})


# SHA-1 already fed the namespace: each id hashes only its name (uuid5 re-hashes the namespace every time).
_LINE_ID_HASH = hashlib.sha1(LINE_ID_NAMESPACE.bytes, usedforsecurity=False)


def line_id(seed: str, *parts: object) -> str:
    """A deterministic invoice_line_id: the same group and line identity always give the same id.

    Exactly `str(uuid.uuid5(LINE_ID_NAMESPACE, "|".join([seed, *parts])))`, computed without building `UUID`
    objects (a bill run makes one per invoice line).
    """
    digest = _LINE_ID_HASH.copy()
    digest.update("|".join([seed, *(str(p) for p in parts)]).encode())
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class DraftLine:
    """One invoice line; fields as `InvoiceLine` in the event catalog, plus the `component` it counts in."""

    invoice_line_id: str
    kind: LineKind
    description: str
    amount: Decimal
    quantity: int = 0
    unit: str | None = None
    unit_price: Decimal = Decimal("0")
    price_base_quantity: int = 1
    product_code: str | None = None
    gl_revenue_account: str | None = None
    campaign_id: str | None = None
    campaign_name: str | None = None
    line_item_id: str | None = None
    original_invoice_number: str | None = None
    value: Decimal | None = None
    tax_code: str | None = None
    component: Component = "usage"
    original_period: str | None = None

    @property
    def adjusts_kind(self) -> str | None:
        """What a prior-period adjustment line adjusts (close.md C2): its component, the usage of a flat-fee
        product counting as `flat_fee`; None on other lines."""
        if self.kind != "prior_period_adjustment":
            return None
        if self.component == "usage" and self.unit == "days":
            return "flat_fee"
        return self.component

    def as_invoice_line(self) -> dict[str, Any]:
        """The wire form (`InvoiceLine` fields, decimal strings); `component` is internal and left out."""
        return {
            "invoice_line_id": self.invoice_line_id, "kind": self.kind, "product_code": self.product_code,
            "gl_revenue_account": self.gl_revenue_account, "campaign_id": self.campaign_id,
            "campaign_name": self.campaign_name, "line_item_id": self.line_item_id,
            "description": self.description, "quantity": self.quantity, "unit": self.unit,
            "unit_price": format(self.unit_price, "f"), "price_base_quantity": self.price_base_quantity,
            "amount": format(self.amount, "f"), "original_invoice_number": self.original_invoice_number,
            "value": None if self.value is None else format(self.value, "f"), "tax_code": self.tax_code,
            "adjusts_kind": self.adjusts_kind, "original_period": self.original_period,
        }


@dataclass(frozen=True)
class PricingException:
    """A business condition found while pricing (never raised): kind as in the catalog's `ExceptionKind`."""

    kind: str
    message: str
    line_item_id: str | None = None
    refs: tuple[tuple[str, str | None], ...] = ()
    amount_at_risk: Decimal | None = None

    @property
    def blocks_issue(self) -> bool:
        """True when the draft must not be issued while this exception stands."""
        return self.kind in BLOCKING_KINDS

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "line_item_id": self.line_item_id,
                "refs": dict(self.refs), "blocks_issue": self.blocks_issue,
                "amount_at_risk": None if self.amount_at_risk is None else format(self.amount_at_risk, "f")}


@dataclass(frozen=True)
class DraftInvoice:
    """A priced invoice group. Its lines' amounts are in `currency`; the totals, what the application layer takes
    from a draft, are `Money`: sums of the rounded lines, `total` the sum of every line's amount."""

    currency: str
    lines: tuple[DraftLine, ...]
    exceptions: tuple[PricingException, ...] = ()
    subtotal: Money = field(init=False)
    discount_total: Money = field(init=False)
    commission_total: Money = field(init=False)
    tax_total: Money = field(init=False)
    total: Money = field(init=False)

    def __post_init__(self) -> None:
        zero = Decimal(0).quantize(quantum(self.currency))
        sums = {c: zero for c in ("usage", "discount", "agency_commission", "tax")}
        for ln in self.lines:
            sums[ln.component] += ln.amount
        object.__setattr__(self, "subtotal", Money(sums["usage"], self.currency))
        object.__setattr__(self, "discount_total", Money(sums["discount"], self.currency))
        object.__setattr__(self, "commission_total", Money(sums["agency_commission"], self.currency))
        object.__setattr__(self, "tax_total", Money(sums["tax"], self.currency))
        object.__setattr__(self, "total", Money(sum((ln.amount for ln in self.lines), zero), self.currency))

    @property
    def issuable(self) -> bool:
        """False when a blocking exception stands (e.g. a negative total, rule 14)."""
        return not any(e.blocks_issue for e in self.exceptions)

    def totals_wire(self) -> dict[str, str]:
        """The totals in their wire form (decimal strings as summed, not re-rounded), by their `InvoiceIssued`
        names."""
        return {name: format(getattr(self, name).amount, "f") for name in TOTALS}

    def lines_of(self, *kinds: str) -> list[DraftLine]:
        return [ln for ln in self.lines if ln.kind in kinds]

    def as_dict(self) -> dict[str, Any]:
        """The wire form of the draft (decimal strings), as the price-simulation endpoint answers it."""
        return {
            "lines": [ln.as_invoice_line() for ln in self.lines], **self.totals_wire(), "currency": self.currency,
            "exceptions": [e.as_dict() for e in self.exceptions], "issuable": self.issuable,
        }


_PPA_SUFFIX: dict[str, Component] = {"discount": "discount", "agency commission": "agency_commission"}
# The kinds of line that count in a total of their own.
_OWN_COMPONENT: dict[str, Component] = {"discount": "discount", "agency_commission": "agency_commission", "tax": "tax"}


def component_of(kind: str, line_item_id: str | None, tax_code: str | None, description: str) -> Component:
    """The total a line counts in. A prior-period adjustment line adjusts usage when it names a contract line,
    tax when it names only a tax code, else discount or commission as its description ends (": discount")."""
    own = _OWN_COMPONENT.get(kind)
    if own is not None:
        return own
    if kind != "prior_period_adjustment":
        return "usage"
    if line_item_id:
        return "usage"
    if tax_code:
        return "tax"
    suffix = description.rsplit(": ", 1)[-1].strip().lower()
    return _PPA_SUFFIX.get(suffix, "usage")


def draft_line_from_wire(line: dict[str, Any]) -> DraftLine:
    """Rebuild a `DraftLine` from a stored `InvoiceLine` dict (decimal strings), inferring its component."""
    value = line.get("value")
    return DraftLine(
        invoice_line_id=line["invoice_line_id"], kind=line["kind"], description=line["description"],
        amount=Decimal(str(line["amount"])), quantity=int(line.get("quantity") or 0), unit=line.get("unit"),
        unit_price=Decimal(str(line.get("unit_price") or "0")),
        price_base_quantity=int(line.get("price_base_quantity") or 1), product_code=line.get("product_code"),
        gl_revenue_account=line.get("gl_revenue_account"), campaign_id=line.get("campaign_id"),
        campaign_name=line.get("campaign_name"), line_item_id=line.get("line_item_id"),
        original_invoice_number=line.get("original_invoice_number"),
        value=None if value is None else Decimal(str(value)), tax_code=line.get("tax_code"),
        component=component_of(line["kind"], line.get("line_item_id"), line.get("tax_code"), line["description"]),
        original_period=line.get("original_period"),
    )


def summarise_billed(invoice_number: str, period: str, lines: Iterable[DraftLine]) -> PeriodBilled:
    """Build a `PeriodBilled` from a period's invoice lines and the adjustment lines already made for it.

    Pass the original invoice's lines and any `prior_period_adjustment` lines whose `original_invoice_number` is
    `invoice_number`; other adjustment lines (for other periods) and over-delivery lines are ignored. A period no
    invoice covered (close.md C12) has the number "": its adjustment lines carry none.
    """
    usage: dict[str, Decimal] = {}
    quantity: dict[str, int] = {}
    tax: dict[str, Decimal] = {}
    discount = commission = Decimal(0)
    for ln in lines:
        if ln.kind == "over_delivery":
            continue
        if ln.kind == "prior_period_adjustment" and (ln.original_invoice_number or "") != invoice_number:
            continue
        if ln.component == "usage" and ln.line_item_id:
            usage[ln.line_item_id] = usage.get(ln.line_item_id, Decimal(0)) + ln.amount
            if _counts_usage_quantity(ln):
                quantity[ln.line_item_id] = quantity.get(ln.line_item_id, 0) + ln.quantity
        elif ln.component == "discount":
            discount += ln.amount
        elif ln.component == "agency_commission":
            commission += ln.amount
        elif ln.component == "tax":
            tax[ln.tax_code or ""] = tax.get(ln.tax_code or "", Decimal(0)) + ln.amount
    return PeriodBilled(invoice_number, period, usage, discount, commission, tax, quantity)


def _counts_usage_quantity(ln: DraftLine) -> bool:
    """A usage line's quantity, or a usage adjustment's delta, is in the line's unit; a flat fee's days are
    not re-priced, and an adjustment line stored without a unit (before adjustments kept their quantities)
    carries 1 for its amount."""
    return ln.kind == "usage" or (ln.kind == "prior_period_adjustment" and ln.unit is not None)
