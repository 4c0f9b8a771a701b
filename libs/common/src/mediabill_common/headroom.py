"""Rule 18 (billing-rules.md): the headroom of an invoice line, one definition for every service that checks it.

Headroom = the line's amount - credited by issued credit memos - credit requests pending - amounts under open
disputes (leaving out the dispute the checked request settles). A dispute or a credit request never asks for more
than the headroom of a line it names.

Each service fills in the terms from its own read model. adjustment-svc knows them all, so its check (when a credit
is requested, at every approval, and so before any memo is issued) is the authority. dispute-svc learns of a credit
request only when its memo is issued (the contract has no event for a request waiting for approval), so its check
when a dispute is opened counts what it knows -- issued credits, its open disputes and the credit its resolved
disputes still wait for -- and is a first filter (docs/architecture.md, "Headroom across services").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mediabill_common.money import CurrencyMismatch, Money


@dataclass(frozen=True)
class LineExposure:
    """An invoice line and everything already holding part of it, all in the invoice's currency."""

    invoice_line_id: str
    amount: Money
    credited: Money
    pending_credit: Money  # credit requests not yet decided (a resolved dispute's credit to come)
    disputed: Money  # under open disputes, without the dispute the checked request settles

    def __post_init__(self) -> None:
        currencies = {self.amount.currency, self.credited.currency, self.pending_credit.currency,
                      self.disputed.currency}
        if len(currencies) > 1:
            raise CurrencyMismatch(f"line {self.invoice_line_id} mixes {', '.join(sorted(currencies))}")

    @property
    def headroom(self) -> Money:
        """Line amount - credited - pending credit requests - amounts under open disputes (may be negative when
        something was booked past it, e.g. a dispute accepted while a credit was pending)."""
        return self.amount - self.credited - self.pending_credit - self.disputed


@dataclass(frozen=True)
class HeadroomBreach:
    """A requested amount above its line's headroom."""

    requested: Money
    exposure: LineExposure

    def figures(self) -> dict[str, str]:
        """The breach as problem+json `lines` members: every term of the headroom, rounded to the currency."""
        x = self.exposure
        return {"invoice_line_id": x.invoice_line_id, "requested": self.requested.as_str(),
                "headroom": x.headroom.as_str(), "line_amount": x.amount.as_str(), "credited": x.credited.as_str(),
                "pending_credit": x.pending_credit.as_str(), "disputed": x.disputed.as_str(),
                "currency": self.requested.currency}


def headroom_breaches(requested: Iterable[tuple[str, Money]],
                      exposures: Mapping[str, LineExposure]) -> list[HeadroomBreach]:
    """Every (invoice_line_id, amount) asking for more than its line's headroom, in the order given.

    A line missing from `exposures` is the caller's to refuse before (it is not on the invoice); an amount in
    another currency than its line raises `CurrencyMismatch`.
    """
    return [HeadroomBreach(amount, exposures[line_id]) for line_id, amount in requested
            if amount > exposures[line_id].headroom]
