"""The close checklist (close.md C10): each item pass or fail with why, from what each service owns.

Blocking items: billing is complete (invoice-svc's billing status), the journal is complete (accounting-svc posted
exactly the invoices invoice-svc issued for the period), receivable ties out (the journal's
receivable and customer credits equal what invoice-svc reports, per currency, to the cent), and the previous
period is closed or was never opened. Informational, never blocking: events waiting for an invoice never seen, and
what the unbilled snapshot could not price.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


@dataclass(frozen=True)
class CheckItem:
    item: str
    status: str  # pass | fail | info
    blocking: bool
    why: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JournalFigures:
    """What accounting-svc posted: invoices of the period (count, Σ total per currency), events still waiting for
    their invoice, the receivable and customer-credit balances (per currency) and what invoice-svc reported."""

    posted: dict[str, tuple[int, Decimal]]
    waiting: int
    receivable: dict[str, Decimal]
    customer_credits: dict[str, Decimal]
    reported: dict[str, tuple[Decimal, Decimal]]  # currency -> (Σ balance_due, Σ overpaid)


def billing_item(status: dict[str, Any] | None, unavailable: str | None) -> CheckItem:
    """invoice-svc's billing status (GET /v1/periods/{period}/billing-status): `complete`, and `reasons` when not."""
    if status is None:
        return CheckItem("billing_complete", "fail", True,
                         f"invoice-svc's billing status is unavailable: {unavailable}")
    complete = bool(status.get("complete"))
    reasons = "; ".join(str(r) for r in status.get("reasons", []))
    why = ("an issue run over all bill-to accounts completed since the last delivery of the period" if complete
           else reasons or "billing is not complete for the period")
    return CheckItem("billing_complete", "pass" if complete else "fail", True, why, {"billing_status": status})


def issued_documents(status: dict[str, Any] | None) -> dict[str, tuple[int, Decimal]] | None:
    """Invoices invoice-svc issued for the period and did not void, per currency: {currency: (count, Σ total)}."""
    if status is None:
        return None
    return {str(doc["currency"]): (int(doc["count"]), Decimal(str(doc["total"])))
            for doc in status.get("documents", []) if int(doc["count"])}


def journal_item(issued: dict[str, tuple[int, Decimal]] | None, figures: JournalFigures) -> CheckItem:
    details = {"posted": {c: {"count": n, "total": str(t)} for c, (n, t) in figures.posted.items()},
               "waiting_events": figures.waiting}
    if issued is None:
        return CheckItem("journal_complete", "fail", True, "what invoice-svc issued for the period is unknown",
                         details)
    details["issued"] = {c: {"count": n, "total": str(t)} for c, (n, t) in issued.items()}
    differing = sorted(c for c in set(issued) | set(figures.posted)
                       if issued.get(c, (0, ZERO)) != figures.posted.get(c, (0, ZERO)))  # Decimal: 1.50 == 1.5
    if differing:
        return CheckItem("journal_complete", "fail", True,
                         f"posted invoices differ from issued ones in {', '.join(differing)}", details)
    return CheckItem("journal_complete", "pass", True, "every invoice issued for the period is posted", details)


def waiting_item(waiting: int) -> CheckItem:
    """Events parked for an invoice accounting-svc has not seen. Informational: an invoice of the period that had
    not arrived would fail journal_complete; these name invoices it never saw (a wrong or foreign id, which
    invoice-svc raises as `unknown_invoice`)."""
    return CheckItem("events_waiting_for_an_invoice", "info", False,
                     f"{waiting} events wait for an invoice accounting-svc has not seen" if waiting
                     else "no event waits for an invoice", {"waiting_events": waiting})


def receivable_item(figures: JournalFigures) -> CheckItem:
    rows = {}
    differing = []
    for currency in sorted(set(figures.reported) | set(figures.receivable) | set(figures.customer_credits)):
        due, over = figures.reported.get(currency, (ZERO, ZERO))
        ar, credits = figures.receivable.get(currency, ZERO), figures.customer_credits.get(currency, ZERO)
        rows[currency] = {"journal_receivable": str(ar), "balance_due": str(due),
                          "journal_customer_credits": str(credits), "overpaid": str(over)}
        if ar != due or credits != over:
            differing.append(currency)
    if differing:
        return CheckItem("receivable_ties_out", "fail", True,
                         f"the journal's receivable differs from invoice-svc's balances in {', '.join(differing)}",
                         rows)
    return CheckItem("receivable_ties_out", "pass", True,
                     "receivable and customer credits equal Σ balance_due and Σ overpaid, to the cent", rows)


def previous_period_item(previous: str, closed: bool, opened: bool) -> CheckItem:
    if closed or not opened:
        why = f"{previous} is closed" if closed else f"{previous} was never opened"
        return CheckItem("previous_period_closed", "pass", True, why)
    return CheckItem("previous_period_closed", "fail", True, f"{previous} is still open: close it first")


def unpriced_item(unpriced: list[dict[str, Any]] | None) -> CheckItem:
    if unpriced is None:
        return CheckItem("unpriced_unbilled", "info", False, "the unbilled snapshot is taken at close")
    return CheckItem("unpriced_unbilled", "info", False,
                     f"{len(unpriced)} unbilled items cannot be priced and are not accrued" if unpriced
                     else "every unbilled item is priced", {"items": unpriced[:100]})


def failing(items: list[CheckItem]) -> list[CheckItem]:
    return [i for i in items if i.blocking and i.status == "fail"]
