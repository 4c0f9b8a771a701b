"""Two bill runs compared per invoice group and line (oversight.md O1): what a shadow preview, priced as if another
delivery source billed, would invoice against what the billing source's run invoices.

Lines are matched on what they bill, not on their ids (each run numbers its own lines): the invoice group
(bill-to account, contract) and the line's kind, line item, product and original period. A usage line split by
rate segments sums into one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple


class RunLineKey(NamedTuple):
    """What a line bills, the same in any run of the period."""

    bill_to_account_id: str
    contract_key: str                  # contract id, '' for self-serve
    currency: str
    kind: str
    line_item_id: str                  # '' for lines of no line item (discount, commission, tax, ...)
    product_code: str
    original_period: str               # '' for the period's own lines


class RunLine(NamedTuple):
    key: RunLineKey
    amount: Decimal


@dataclass(frozen=True)
class LineDifference:
    """Both runs' amounts of one key (0 where a run has no such line) and right - left."""

    key: RunLineKey
    left: Decimal
    right: Decimal
    in_left: bool
    in_right: bool

    @property
    def difference(self) -> Decimal:
        return self.right - self.left


def diff_runs(left: Iterable[RunLine], right: Iterable[RunLine]) -> list[LineDifference]:
    """Every key either run bills, in key order, with each side's summed amount."""
    sums: tuple[dict[RunLineKey, Decimal], dict[RunLineKey, Decimal]] = ({}, {})
    for side, lines in zip(sums, (left, right), strict=True):
        for line in lines:
            side[line.key] = side.get(line.key, Decimal(0)) + line.amount
    return [LineDifference(k, sums[0].get(k, Decimal(0)), sums[1].get(k, Decimal(0)), k in sums[0], k in sums[1])
            for k in sorted(sums[0].keys() | sums[1].keys())]


def totals_by_currency(rows: Iterable[LineDifference]) -> dict[str, tuple[Decimal, Decimal]]:
    """(left, right) per currency over the compared lines."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        left, right = out.get(row.key.currency, (Decimal(0), Decimal(0)))
        out[row.key.currency] = (left + row.left, right + row.right)
    return out
