"""Journal entries (close.md C1): balanced per currency, exact at each currency's minor unit, with dimensions.

An amount is "posted" on an account's normal side when positive and on the other side when negative, so a signed
invoice line (a discount of -100.00) posts as a debit of 100.00 to a credit-normal account.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounting_svc.domain.errors import UnbalancedEntry
from mediabill_common.money import Money, in_minor_units

# Entry ids are derived from what the entry posts (its source), so a redelivered event names the same entry.
_ENTRY_NAMESPACE = uuid.UUID("9d1c64c6-3bf1-4a8e-9f52-0f4d8f8a2c11")


def entry_id_for(source_type: str, source_id: str) -> str:
    """The stable id of the entry posting `source_id` as `source_type`."""
    return str(uuid.uuid5(_ENTRY_NAMESPACE, f"{source_type}:{source_id}"))


@dataclass(frozen=True)
class Dimensions:
    """Where a line's amount belongs, for reports and the ERP (C1); each is None where it does not apply."""

    bill_to_account_id: str | None = None
    account_id: str | None = None
    contract_id: str | None = None
    product_code: str | None = None
    channel: str | None = None
    service_period: str | None = None
    tax_code: str | None = None


@dataclass(frozen=True)
class EntryLine:
    """One side of one account in one currency: exactly one of debit and credit is non-zero."""

    account: str
    debit: Money
    credit: Money
    dimensions: Dimensions = Dimensions()

    @property
    def currency(self) -> str:
        return self.debit.currency

    @property
    def net_debit(self) -> Money:
        return self.debit - self.credit


@dataclass(frozen=True)
class JournalEntry:
    """A balanced posting of one source document (or of an accrual, a payment, a void)."""

    entry_id: str
    source_type: str
    source_id: str
    document_number: str | None
    posting_date: date
    posting_period: str
    original_period: str | None
    lines: tuple[EntryLine, ...]
    reverses_entry_id: str | None = None

    def totals(self) -> dict[str, tuple[Money, Money]]:
        """Σ debits and Σ credits per currency."""
        out: dict[str, tuple[Money, Money]] = {}
        for line in self.lines:
            debit, credit = out.get(line.currency, (Money.zero(line.currency), Money.zero(line.currency)))
            out[line.currency] = (debit + line.debit, credit + line.credit)
        return out

    def is_balanced(self) -> bool:
        return all(debit == credit for debit, credit in self.totals().values())


@dataclass
class EntryBuilder:
    """Collects signed postings per (account, dimensions, currency) and turns them into a balanced entry."""

    _amounts: dict[tuple[str, Dimensions, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    _order: list[tuple[str, Dimensions, str]] = field(default_factory=list)

    def debit(self, account: str, amount: Money, dims: Dimensions = Dimensions()) -> EntryBuilder:
        """Post `amount` on the debit side of `account` (a negative amount lands on the credit side)."""
        key = (account, dims, amount.currency)
        if key not in self._amounts:
            self._order.append(key)
        self._amounts[key] += amount.amount
        return self

    def credit(self, account: str, amount: Money, dims: Dimensions = Dimensions()) -> EntryBuilder:
        """Post `amount` on the credit side of `account` (a negative amount lands on the debit side)."""
        return self.debit(account, -amount, dims)

    def lines(self) -> tuple[EntryLine, ...]:
        out = []
        for key in self._order:
            account, dims, currency = key
            net = self._amounts[key]
            if net == 0:
                continue
            if not in_minor_units(net, currency):
                raise UnbalancedEntry(f"{net} {currency} on {account} is finer than the currency's minor unit")
            zero = Money.zero(currency)
            amount = Money(abs(net), currency).rounded()
            out.append(EntryLine(account, amount if net > 0 else zero, zero if net > 0 else amount, dims))
        return tuple(out)

    def entry(self, *, source_type: str, source_id: str, document_number: str | None, posting_date: date,
              posting_period: str, original_period: str | None = None,
              reverses_entry_id: str | None = None) -> JournalEntry:
        """The entry, refused unless it balances in every currency (C1)."""
        entry = JournalEntry(entry_id_for(source_type, source_id), source_type, source_id, document_number,
                             posting_date, posting_period, original_period, self.lines(), reverses_entry_id)
        if not entry.is_balanced():
            unbalanced = {c: f"{d.as_str()} Dr / {cr.as_str()} Cr" for c, (d, cr) in entry.totals().items()
                          if d != cr}
            raise UnbalancedEntry(f"{source_type} {source_id} does not balance: {unbalanced}")
        return entry


def reversal_lines(entry: JournalEntry) -> tuple[EntryLine, ...]:
    """The lines of `entry` with debit and credit swapped: its exact reversal."""
    return tuple(EntryLine(line.account, line.credit, line.debit, line.dimensions) for line in entry.lines)
