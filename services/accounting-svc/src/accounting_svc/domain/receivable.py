"""The receivable side of the journal (close.md C4), per invoice, from billing rule 17.

With N = total − credited + debited − paid (before rule 17's floor at 0), an invoice's accounts receivable is
max(0, N) and its customer credit (a liability) is max(0, −N). Every document and payment posts the change it makes
to those two balances, so the journal agrees with rule 17 whatever the order of credits, debits and payments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from accounting_svc.domain.chart import ChartOfAccounts
from accounting_svc.domain.journal import Dimensions, EntryBuilder
from mediabill_common.money import Money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Receivable:
    """What the journal has posted about one invoice's balance so far."""

    currency: str
    total: Decimal = ZERO
    credited: Decimal = ZERO
    debited: Decimal = ZERO
    paid: Decimal = ZERO
    voided: bool = False

    @property
    def net(self) -> Decimal:
        """N of rule 17 before its floor; a voided invoice owes nothing (it is voided only while nothing moved)."""
        if self.voided:
            return ZERO
        return self.total - self.credited + self.debited - self.paid

    @property
    def receivable(self) -> Money:
        return Money(max(ZERO, self.net), self.currency)

    @property
    def customer_credit(self) -> Money:
        return Money(max(ZERO, -self.net), self.currency)

    def issued(self, total: Decimal) -> Receivable:
        return replace(self, total=total)

    def credit(self, amount: Decimal) -> Receivable:
        return replace(self, credited=self.credited + amount)

    def debit(self, amount: Decimal) -> Receivable:
        return replace(self, debited=self.debited + amount)

    def pay(self, amount: Decimal) -> Receivable:
        return replace(self, paid=self.paid + amount)

    def void(self) -> Receivable:
        return replace(self, voided=True)


def post_receivable_change(builder: EntryBuilder, before: Receivable, after: Receivable, chart: ChartOfAccounts,
                           dims: Dimensions) -> None:
    """Post what moving from `before` to `after` changes: Dr receivable by its change, Cr customer credits by
    theirs."""
    builder.debit(chart.receivable, after.receivable - before.receivable, dims)
    builder.credit(chart.customer_credits, after.customer_credit - before.customer_credit, dims)
