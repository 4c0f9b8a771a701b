"""What an analyst needs to judge a dispute: the terms in effect and whether the invoice was priced right."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

# Fields an amendment never changes (same list as invoice-svc's pricing).
_IDENTITY = ("contract_id", "advertiser_account_id", "bill_to_account_id", "versions")


@dataclass(frozen=True)
class TermsInEffect:
    amendment_no: int | None
    effective_from: date | None
    contract: dict[str, Any]


def terms_in_effect(contract: Mapping[str, Any], on: date) -> TermsInEffect:
    """The contract as it stood on `on` (the period end), read the way invoice-svc prices it.

    `versions[]` lists each amendment with its `effective_from` and the terms it set. The terms in effect are the
    contract's state overlaid, in (effective_from, amendment_no) order, with the terms of every version effective
    by `on` (identity fields excepted); the latest of those names the amendment in effect. Before the first
    version takes effect the earliest applies; a contract without versions is taken as it is.
    """
    versions = sorted(contract.get("versions") or [], key=lambda v: (str(v.get("effective_from")),
                                                                      int(v.get("amendment_no", 0))))
    state = dict(contract)
    if not versions:
        return TermsInEffect(state.get("amendment_no"), None, state)
    chosen = [v for v in versions if date.fromisoformat(str(v["effective_from"])) <= on] or versions[:1]
    for version in chosen:
        state.update({k: v for k, v in (version.get("terms") or {}).items() if k not in _IDENTITY})
    state["amendment_no"] = chosen[-1].get("amendment_no", state.get("amendment_no"))
    return TermsInEffect(chosen[-1].get("amendment_no"), date.fromisoformat(str(chosen[-1]["effective_from"])),
                         state)


@dataclass(frozen=True)
class PricedLine:
    line_item_id: str | None
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class LineDifference:
    invoice_line_id: str
    line_item_id: str | None
    kind: str
    invoiced_amount: Decimal
    repriced_amount: Decimal | None
    difference: Decimal | None
    verdict: str


def compare_line(invoice_line_id: str, line_item_id: str | None, kind: str, invoiced: Decimal,
                 repriced: Iterable[PricedLine], currency: str) -> LineDifference:
    """Invoiced vs re-priced amount of one line, matched by (line_item_id, kind); states who is higher.

    A line the re-price does not produce at all was re-priced at nothing: the whole invoiced amount is the
    difference (an over-delivery line at 0.00 therefore still matches).
    """
    matches = [p.amount for p in repriced if p.line_item_id == line_item_id and p.kind == kind]
    again = sum(matches, Decimal(0)) if matches else Decimal(0).quantize(invoiced)  # 0 at the line's scale
    diff = invoiced - again
    if diff == 0:
        verdict = "invoiced amount matches the re-price"
    elif diff > 0:
        verdict = f"invoice is higher than the re-price by {format(diff, 'f')} {currency}"
    else:
        verdict = f"invoice is lower than the re-price by {format(-diff, 'f')} {currency}"
    if not matches:
        verdict += f" (the re-price has no {kind} line for line item {line_item_id})"
    return LineDifference(invoice_line_id, line_item_id, kind, invoiced, again, diff, verdict)
