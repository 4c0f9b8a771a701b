"""The close checklist's exposure items (close.md C10): informational, never blocking.

What other services hold open when a period closes: billing exceptions of the period with the revenue they hold
back (invoice-svc), open disputes (dispute-svc) and pending credit requests (adjustment-svc), each per currency.
A service that cannot be read makes its item say so; it never blocks the close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounting_svc.domain.checklist import CheckItem

ZERO = Decimal(0)


@dataclass(frozen=True)
class OpenAmounts:
    """What a service reported open: one (currency, amount) per item; `partial` when it holds more than was read."""

    amounts: list[tuple[str, Decimal]]
    partial: bool = False


def per_currency(amounts: Iterable[tuple[str, Decimal]]) -> dict[str, dict[str, Any]]:
    """Count and Σ amount per currency, currencies in order; amounts as exact decimal strings."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for currency, amount in amounts:
        count, total = totals.get(currency, (0, ZERO))
        totals[currency] = (count + 1, total + amount)
    return {c: {"count": n, "amount": str(t)} for c, (n, t) in sorted(totals.items())}


def _sums(rows: dict[str, dict[str, Any]], key: str = "amount") -> str:
    return ", ".join(f"{row[key]} {currency}" for currency, row in rows.items())


def _unread(item: str, unavailable: str | None) -> CheckItem:
    return CheckItem(item, "info", False, f"could not be read: {unavailable or 'no answer'}")


def open_amounts_item(item: str, what: str, found: OpenAmounts | None, unavailable: str | None) -> CheckItem:
    """Open disputes or pending credit requests as exposure per currency (what the customer may get back)."""
    if found is None:
        return _unread(item, unavailable)
    rows = per_currency(found.amounts)
    details: dict[str, Any] = {"by_currency": rows, "count": len(found.amounts), "partial": found.partial}
    if not found.amounts:
        return CheckItem(item, "info", False, f"no {what}", details)
    at_least = "at least " if found.partial else ""
    return CheckItem(item, "info", False, f"{at_least}{len(found.amounts)} {what}: {_sums(rows)}", details)


def exceptions_item(status: dict[str, Any] | None, unavailable: str | None) -> CheckItem:
    """Open billing exceptions of the period (deliveries of its service dates held back) with their revenue at
    risk per currency, from invoice-svc's billing status (`open_exceptions`)."""
    item = "open_billing_exceptions"
    if status is None:
        return _unread(item, f"invoice-svc's billing status is unavailable: {unavailable}")
    figures = status.get("open_exceptions")
    if not isinstance(figures, dict):
        return _unread(item, "invoice-svc's billing status carries no open_exceptions")
    count = int(figures.get("count", 0))
    at_risk = {str(r.get("currency")): r for r in figures.get("revenue_at_risk", [])}
    details = {"count": count, "revenue_at_risk": list(at_risk.values()), "by_kind": figures.get("by_kind", [])}
    if not count:
        return CheckItem(item, "info", False, "no open billing exception of the period", details)
    unpriced = sum(int(r.get("unpriced", 0)) for r in at_risk.values())
    held = f" hold back {_sums(at_risk, 'value')}" if at_risk else " hold back no revenue"
    tail = f" ({unpriced} could not be priced)" if unpriced else ""
    return CheckItem(item, "info", False, f"{count} open billing exceptions of the period{held}{tail}", details)
