"""What an invoice was priced with, recorded at issue so that a later re-pricing can name the input that changed.

The recording is small (digests, not copies): the pricing engine's version, the contract terms version (amendment
number) and a digest of those terms, a digest of each product's pricing configuration (its rate cards), a digest of
the bill-to account's pricing fields (type, tax rates), and the amounts already billed per contract line on other
invoices (rule 8's budget), which a re-pricing needs as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from invoice_svc.domain.pricing import BillTo, ContractTerms, Product

# The pricing engine's version: raise it with any change to pricing that prices the same inputs differently. An
# invoice issued under another version that re-prices differently names `engine_version` as what changed.
ENGINE_VERSION = "2026.12.1"

# The inputs an assurance run can name as what changed.
INPUT_KINDS = ("rate_card", "contract_terms", "ledger_revision", "engine_version", "billing_account")


# Each dataclass type's field names, read once (`dataclasses.fields` on every value was most of a digest's cost).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
# The exact types a digest meets most (a bill run digests every group's terms): handled before any isinstance test.
# Subclasses and every other type take `_canonical_other`, the general rules, so the result is the same either way.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _canonical(value: Any) -> Any:
    kind = type(value)
    if kind in _AS_IS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {name: _canonical(getattr(value, name)) for name in names}
    if kind is Decimal:
        return format(value.normalize(), "f")
    if kind is tuple or kind is list:
        return [_canonical(v) for v in value]
    return _canonical_other(value)


def _canonical_other(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    names = _FIELD_NAMES.get(type(value))
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _canonical(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(value: Any) -> str:
    """A short, stable digest of an engine input (a frozen dataclass): equal values, equal digests."""
    text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def product_digests(products: Mapping[str, Product]) -> dict[str, str]:
    """Each product's pricing configuration (model, rate cards) as a digest: computed once per bill run."""
    return {code: digest((p.pricing_model, p.contract_priced, p.rate_cards)) for code, p in products.items()}


def _account_digest(bill_to: BillTo) -> str:
    return digest((bill_to.type, bill_to.currency, bill_to.tax_rates))


@dataclass(frozen=True)
class PricingInputs:
    """An invoice's pricing inputs as recorded at issue (`as_wire` is what the invoice row keeps)."""

    engine_version: str
    amendment_no: int | None
    terms_digest: str | None
    products: Mapping[str, str] = field(default_factory=dict)
    account_digest: str | None = None
    billed_before: Mapping[str, Decimal] = field(default_factory=dict)

    @classmethod
    def of(cls, *, terms: ContractTerms | None, products: Mapping[str, str], product_codes: Iterable[str],
           bill_to: BillTo, billed_before: Mapping[str, Decimal], engine_version: str = ENGINE_VERSION) \
            -> PricingInputs:
        """The inputs of an invoice priced with these: `products` are `product_digests`, `product_codes` the
        products its lines name."""
        used = {c: products[c] for c in sorted(set(product_codes)) if c in products}
        return cls(engine_version, None if terms is None else terms.amendment_no,
                   None if terms is None else digest(terms), used, _account_digest(bill_to), dict(billed_before))

    def as_wire(self) -> dict[str, Any]:
        return {"engine_version": self.engine_version, "amendment_no": self.amendment_no,
                "terms_digest": self.terms_digest, "products": dict(self.products),
                "account_digest": self.account_digest,
                "billed_before": {k: format(v, "f") for k, v in sorted(self.billed_before.items())}}

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> PricingInputs:
        return cls(wire["engine_version"], wire.get("amendment_no"), wire.get("terms_digest"),
                   dict(wire.get("products") or {}), wire.get("account_digest"),
                   {k: Decimal(v) for k, v in (wire.get("billed_before") or {}).items()})

    def changed(self, now: PricingInputs) -> dict[str, tuple[str, ...]]:
        """What differs in `now` (the same invoice's inputs as a re-pricing finds them): input kind -> what of it
        (the product codes of changed rate cards; empty for the others)."""
        out: dict[str, tuple[str, ...]] = {}
        products = tuple(c for c, d in sorted(self.products.items()) if now.products.get(c) != d)
        if products:
            out["rate_card"] = products
        if self.terms_digest != now.terms_digest:
            out["contract_terms"] = ()
        if self.account_digest != now.account_digest:
            out["billing_account"] = ()
        if self.engine_version != now.engine_version:
            out["engine_version"] = ()
        return out
