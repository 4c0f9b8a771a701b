"""Revenue by dimension from the journal (close.md "Reports"): gross revenue, the contra accounts (discount, and
commission when it is contra-revenue), net; contra amounts allocated to products pro rata to gross."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from mediabill_common.money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class RevenueFigures:
    key: str | None
    currency: str
    gross: Decimal = ZERO
    discount: Decimal = ZERO
    commission: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross + self.discount + self.commission


def allocate(amount: Decimal, weights: dict[str | None, Decimal], currency: str) -> dict[str | None, Decimal]:
    """Split `amount` over `weights` pro rata, each share rounded once; the rounding difference goes to the largest
    weight so the shares add up to `amount` exactly."""
    total = sum(weights.values(), ZERO)
    if not weights or total == 0:
        return {None: amount} if amount else {}
    shares = {key: round_money(amount * weight / total, currency) for key, weight in weights.items()}
    largest = max(weights, key=lambda k: (weights[k], str(k)))
    shares[largest] += amount - sum(shares.values(), ZERO)
    return shares


def revenue_rows(gross: dict[tuple[str, str | None], Decimal], discount: dict[tuple[str, str | None], Decimal],
                 commission: dict[tuple[str, str | None], Decimal], *, allocate_contra: bool) -> list[RevenueFigures]:
    """Rows per (currency, key). With `allocate_contra` (by product or channel, which contra lines do not carry)
    the contra amounts of each currency are spread over the keys pro rata to their gross."""
    if allocate_contra:
        discount, commission = _allocated(discount, gross), _allocated(commission, gross)
    rows: dict[tuple[str, str | None], RevenueFigures] = {}
    for source, field in ((gross, "gross"), (discount, "discount"), (commission, "commission")):
        for (currency, key), amount in source.items():
            row = rows.get((currency, key), RevenueFigures(key, currency))
            rows[(currency, key)] = RevenueFigures(key, currency, **{
                "gross": row.gross, "discount": row.discount, "commission": row.commission,
                field: getattr(row, field) + amount})
    return sorted(rows.values(), key=lambda r: (r.currency, str(r.key)))


def _allocated(contra: dict[tuple[str, str | None], Decimal], gross: dict[tuple[str, str | None], Decimal]) \
        -> dict[tuple[str, str | None], Decimal]:
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for (currency, _), amount in contra.items():
        per_currency[currency] += amount
    out: dict[tuple[str, str | None], Decimal] = {}
    for currency, amount in per_currency.items():
        weights = {key: g for (c, key), g in gross.items() if c == currency}
        for key, share in allocate(amount, weights, currency).items():
            out[(currency, key)] = share
    return out
