"""Rules 12, 17 and 20: an invoice's balance, status and disputed amount, and when it may be voided.

The balance is a fold over the *set* of memos, payments and dispute events an invoice received: each is recorded
once (by payment_id, memo_id or event id) and the balance is recomputed from all of them, so it never depends on
the order they arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from mediabill_common.money import Money, round_money

EntryKind = Literal["payment", "credit_memo", "debit_memo", "dispute_opened", "dispute_resolved",
                    "dispute_withdrawn", "dispute_reopened"]
InvoiceStatus = Literal["draft", "issued", "partially_paid", "paid", "void"]
_ZERO = Decimal(0)


@dataclass(frozen=True)
class BalanceEntry:
    """One fact about an invoice's receivable: a payment, a memo (its total), or a dispute event.

    `amount` is the payment amount, the memo total, the disputed amount (opened) or the credit amount (resolved);
    `at` is when the fact happened (orders a dispute's resolutions and reopenings).
    """

    entry_id: str
    kind: EntryKind
    amount: Decimal
    currency: str
    at: datetime
    dispute_id: str | None = None


@dataclass(frozen=True)
class InvoiceBalance:
    """What collections need (the `InvoiceBalanceChanged` figures), in the invoice's currency."""

    total: Money
    credited: Money
    debited: Money
    paid: Money
    balance_due: Money
    overpaid: Money
    disputed_amount: Money
    status: InvoiceStatus

    def figures(self) -> dict[str, Decimal | str]:
        """The figures as the event, the invoice row and the API carry them: decimals beside the invoice's
        currency, and the status."""
        return {"total": self.total.amount, "credited": self.credited.amount, "debited": self.debited.amount,
                "paid": self.paid.amount, "balance_due": self.balance_due.amount, "overpaid": self.overpaid.amount,
                "disputed_amount": self.disputed_amount.amount, "status": self.status}


def applies_to_balance(entry: BalanceEntry, invoice_currency: str) -> bool:
    """A payment in another currency is kept but never applied (it raises payment_currency_mismatch)."""
    return not (entry.kind == "payment" and entry.currency != invoice_currency)


def balance_of(total_money: Money, entries: Iterable[BalanceEntry], *, voided: bool = False) -> InvoiceBalance:
    """Rule 17: balance due = total - credited + debited - paid, never below 0; the excess is `overpaid`.

    Status: `void` when voided (its total is no longer owed); else `paid` when nothing is due; `partially_paid` when
    something is paid and a balance remains; else `issued`. The disputed amount (rule 20, see `disputed_amount`) does
    not change the balance. Entries are facts as recorded (each with its own currency); a payment in another
    currency than the invoice's is left out (`applies_to_balance`).
    """
    total, currency = total_money.amount, total_money.currency
    entries = [e for e in entries if applies_to_balance(e, currency)]
    credited = sum((e.amount for e in entries if e.kind == "credit_memo"), _ZERO)
    debited = sum((e.amount for e in entries if e.kind == "debit_memo"), _ZERO)
    paid = sum((e.amount for e in entries if e.kind == "payment"), _ZERO)
    # A void invoice is no longer owed; anything received on it afterwards shows as overpaid.
    owed = (_ZERO if voided else total) - credited + debited - paid
    balance_due, overpaid = max(owed, _ZERO), max(-owed, _ZERO)
    if voided:
        status: InvoiceStatus = "void"
    elif balance_due == 0:
        status = "paid"
    elif paid > 0:
        status = "partially_paid"
    else:
        status = "issued"
    def q(amount: Decimal) -> Money:  # exact already; fixes the scale shown
        return Money(amount, currency).rounded()

    return InvoiceBalance(q(total), q(credited), q(debited), q(paid), q(balance_due), q(overpaid),
                          q(disputed_amount(entries)), status)


def opening_balance(total: Money) -> tuple[Decimal, InvoiceStatus]:
    """`balance_of(total, [])`'s balance due and status: an invoice as it is issued, before any entry. Without
    the seven figures nobody reads at issue (a bill run issues 100,000s of invoices)."""
    due = max(total.amount, _ZERO)
    return round_money(due, total.currency), "paid" if due == 0 else "issued"


def stored_balance(invoice: Mapping[str, Any]) -> InvoiceBalance:
    """The figures `balance_of` computed when the invoice's entries last changed, as kept on its row."""
    def q(amount: Decimal) -> Money:  # as balance_of shows them
        return Money(amount, invoice["currency"]).rounded()

    return InvoiceBalance(q(invoice["total"]), q(invoice["credited"]), q(invoice["debited"]), q(invoice["paid"]),
                          q(invoice["balance_due"]), q(invoice["overpaid"]), q(invoice["disputed_amount"]),
                          invoice["balance_status"])


def disputed_amount(entries: Iterable[BalanceEntry]) -> Decimal:
    """Rule 20: the amount held for collections across the invoice's disputes (sum of `dispute_hold`)."""
    by_dispute: dict[str, list[BalanceEntry]] = {}
    credited_disputes: set[str] = set()
    for e in entries:
        if e.dispute_id is None:
            continue
        if e.kind == "credit_memo":
            credited_disputes.add(e.dispute_id)
        elif e.kind.startswith("dispute_"):
            by_dispute.setdefault(e.dispute_id, []).append(e)
    return sum((dispute_hold(events, d in credited_disputes) for d, events in by_dispute.items()), _ZERO)


def dispute_hold(events: Iterable[BalanceEntry], credit_memo_issued: bool) -> Decimal:
    """What one dispute holds back: the disputed amount while open; after resolution only the credit to come
    (the rest is released) until its credit memo is issued; nothing once withdrawn or credited. A reopening
    (the credit request was rejected) keeps the hold as it was."""
    events = list(events)
    if credit_memo_issued or any(e.kind == "dispute_withdrawn" for e in events):
        return _ZERO
    resolutions = sorted((e for e in events if e.kind == "dispute_resolved"), key=lambda e: (e.at, e.entry_id))
    if resolutions:
        return resolutions[-1].amount
    opened = [e for e in events if e.kind == "dispute_opened"]
    return opened[0].amount if opened else _ZERO


def void_blockers(balance: InvoiceBalance, status: str) -> list[str]:
    """Rule 12: why the invoice may not be voided (empty = it may). Only an issued invoice on which nothing is
    paid, credited, debited or disputed can be voided."""
    if status == "void":
        return ["the invoice is already void"]
    if status == "draft":
        return ["a draft has no number and is not a receivable; rerun the preview instead"]
    reasons = []
    for name in ("paid", "credited", "debited"):
        value: Money = getattr(balance, name)
        if not value.is_zero():
            reasons.append(f"{name} {value.amount}")
    if not balance.disputed_amount.is_zero():
        reasons.append(f"disputed {balance.disputed_amount.amount}")
    return reasons
