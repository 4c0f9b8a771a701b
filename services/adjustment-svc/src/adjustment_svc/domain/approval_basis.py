"""Rule 22 on cumulative amounts: the approval a request needs, judged on everything requested alongside it.

Judging each request alone let a credit be split to stay under the auto-approval limit: two 280.00 credits on one
invoice line were each approved by policy where one 560.00 credit needed a manager. So a request's level is the
highest that any of three figures reaches, each the memo totals of the same kind (credit or debit) and currency,
pending or approved (rejected ones never moved money and no longer count), with this request included:

- the request itself;
- everything requested on the same invoice (splitting across lines or across requests);
- everything requested for the same bill-to account in one period (splitting across the account's invoices).
  The period is a setting (`AccountWindow`): the calendar month (UTC) in which the requests are made, by default,
  or the billing period of the invoices they adjust.

The same per-currency limits apply to all three. The level is fixed when the request is made: a later rejection of
an earlier request does not lower it (the safe side: it can only ask for more approvals, never fewer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from adjustment_svc.domain.approval import ApprovalLevel, ApprovalLimits, required_level
from mediabill_common.money import round_money

_RANK = {ApprovalLevel.POLICY: 0, ApprovalLevel.MANAGER: 1, ApprovalLevel.MANAGER_AND_DIRECTOR: 2}


class AccountWindow(StrEnum):
    """Which requests of one bill-to account are summed with a new one (setting APPROVAL_ACCOUNT_WINDOW)."""

    REQUEST_MONTH = "request_month"    # requests made in the same calendar month (UTC)
    INVOICE_PERIOD = "invoice_period"  # requests on invoices of the same billing period

    def period_of(self, requested_at: datetime, invoice_period: str) -> str:
        """The period (YYYY-MM) the account's figure is summed over for a request made at `requested_at` on an
        invoice of `invoice_period`."""
        return f"{requested_at:%Y-%m}" if self is AccountWindow.REQUEST_MONTH else invoice_period


class Basis(StrEnum):
    """Which figure decided the level."""

    REQUEST = "request"
    INVOICE_CUMULATIVE = "invoice_cumulative"
    ACCOUNT_PERIOD_CUMULATIVE = "account_period_cumulative"
    NO_LIMITS = "no_limits"


@dataclass(frozen=True)
class RequestedBefore:
    """What was requested before a new request and not rejected (same kind and currency): on its invoice, and for
    its bill-to account in `period` of `window`."""

    on_invoice: Decimal
    for_account: Decimal
    bill_to_account_id: str
    window: AccountWindow
    period: str


@dataclass(frozen=True)
class ApprovalBasis:
    """The level a request needs and why: the figure that decided (`basis`, `figure`) and the limit it was judged
    against (the auto-approval limit it stayed within, or the limit it went over; None without limits), beside the
    three figures."""

    level: ApprovalLevel
    basis: Basis
    figure: Decimal
    limit: Decimal | None
    request_total: Decimal
    invoice_cumulative: Decimal
    account_cumulative: Decimal
    before: RequestedBefore

    def explanation(self, kind: str, currency: str, invoice_number: str) -> str:
        """The reason in billing words, for the audit trail and the request's read model."""
        def m(amount: Decimal | None) -> str:
            return format(round_money(amount or Decimal(0), currency), "f")

        if self.basis is Basis.NO_LIMITS:
            return f"no approval limits are set for {currency}: a manager and a director must approve"
        window = "requests made in" if self.before.window is AccountWindow.REQUEST_MONTH else "invoices of"
        figures = {
            Basis.REQUEST: f"this request comes to {m(self.request_total)} {currency}",
            Basis.INVOICE_CUMULATIVE: f"the {kind}s requested on invoice {invoice_number} come to "
                                      f"{m(self.invoice_cumulative)} {currency} with this one (pending and approved)",
            Basis.ACCOUNT_PERIOD_CUMULATIVE: f"the {kind}s requested for bill-to {self.before.bill_to_account_id} "
                                             f"({window} {self.before.period}) come to {m(self.account_cumulative)} "
                                             f"{currency} with this one (pending and approved)"}
        if self.level is ApprovalLevel.POLICY:
            return (f"approved by policy: this request ({m(self.request_total)}), the {kind}s on invoice "
                    f"{invoice_number} ({m(self.invoice_cumulative)}) and for bill-to {self.before.bill_to_account_id} "
                    f"({window} {self.before.period}: {m(self.account_cumulative)}) stay within the auto-approval "
                    f"limit of {m(self.limit)} {currency}")
        who = "a manager" if self.level is ApprovalLevel.MANAGER else "a manager and a director"
        which = "auto-approval" if self.level is ApprovalLevel.MANAGER else "single-approval"
        return f"{who} must approve: {figures[self.basis]}, over the {which} limit of {m(self.limit)} {currency}"


    def as_record(self, kind: str, currency: str, invoice_number: str) -> dict[str, str]:
        """The basis as stored with the request and shown by the API (amounts rounded to the currency)."""
        def money(amount: Decimal) -> str:
            return format(round_money(amount, currency), "f")

        return {"basis": self.basis.value, "figure": money(self.figure),
                "limit": "" if self.limit is None else money(self.limit),
                "request_total": money(self.request_total), "invoice_cumulative": money(self.invoice_cumulative),
                "account_cumulative": money(self.account_cumulative),
                "bill_to_account_id": self.before.bill_to_account_id, "account_window": self.before.window.value,
                "account_period": self.before.period,
                "explanation": self.explanation(kind, currency, invoice_number)}


def approval_basis(total: Decimal, before: RequestedBefore, limits: ApprovalLimits | None) -> ApprovalBasis:
    """The level a request of memo total `total` needs given what was requested `before` it (rule 22,
    cumulative); ties go to the narrowest figure (the request, then the invoice, then the account)."""
    on_invoice, for_account = before.on_invoice + total, before.for_account + total
    if limits is None:
        return ApprovalBasis(ApprovalLevel.MANAGER_AND_DIRECTOR, Basis.NO_LIMITS, total, None, total, on_invoice,
                             for_account, before)
    level, basis, figure = ApprovalLevel.POLICY, Basis.REQUEST, total
    for candidate, amount in ((Basis.REQUEST, total), (Basis.INVOICE_CUMULATIVE, on_invoice),
                              (Basis.ACCOUNT_PERIOD_CUMULATIVE, for_account)):
        candidate_level = required_level(amount, limits)
        if _RANK[candidate_level] > _RANK[level]:
            level, basis, figure = candidate_level, candidate, amount
    limit = limits.single_approval_max if level is ApprovalLevel.MANAGER_AND_DIRECTOR else limits.auto_approve_max
    return ApprovalBasis(level, basis, figure, limit, total, on_invoice, for_account, before)
