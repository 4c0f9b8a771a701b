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
from decimal import Decimal

from mediabill_common.money import round_money

_ZERO = Decimal(0)


@dataclass(frozen=True)
class LineExposure:
    """An invoice line and everything already holding part of it."""

    invoice_line_id: str
    amount: Decimal
    credited: Decimal = _ZERO
    pending_credit: Decimal = _ZERO  # credit requests not yet decided (a resolved dispute's credit to come)
    disputed: Decimal = _ZERO  # under open disputes, without the dispute the checked request settles

    @property
    def headroom(self) -> Decimal:
        """Line amount - credited - pending credit requests - amounts under open disputes (may be negative when
        something was booked past it, e.g. a dispute accepted while a credit was pending)."""
        return self.amount - self.credited - self.pending_credit - self.disputed


@dataclass(frozen=True)
class HeadroomBreach:
    """A requested amount above its line's headroom."""

    requested: Decimal
    exposure: LineExposure

    def figures(self, currency: str) -> dict[str, str]:
        """The breach as problem+json `lines` members: every term of the headroom, rounded to the currency."""
        def show(value: Decimal) -> str:
            return format(round_money(value, currency), "f")

        x = self.exposure
        return {"invoice_line_id": x.invoice_line_id, "requested": show(self.requested),
                "headroom": show(x.headroom), "line_amount": show(x.amount), "credited": show(x.credited),
                "pending_credit": show(x.pending_credit), "disputed": show(x.disputed), "currency": currency}


def headroom_breaches(requested: Iterable[tuple[str, Decimal]],
                      exposures: Mapping[str, LineExposure]) -> list[HeadroomBreach]:
    """Every (invoice_line_id, amount) asking for more than its line's headroom, in the order given.

    A line missing from `exposures` is the caller's to refuse before (it is not on the invoice).
    """
    return [HeadroomBreach(amount, exposures[line_id]) for line_id, amount in requested
            if amount > exposures[line_id].headroom]
