"""The close checklist (close.md C10): each item pass or fail with why, from what each service owns.

Blocking items: billing is complete (invoice-svc's billing status), the journal is complete (accounting-svc posted
exactly the invoices invoice-svc issued for the period, and nothing it consumed since the period began was
dead-lettered), receivable ties out (the journal's receivable and customer credits equal what invoice-svc reports,
per currency, to the cent), and the previous period is closed or was never opened. Informational, never blocking:
events waiting for an invoice never seen, what the unbilled snapshot could not price, and the exposure other
services hold (open billing exceptions of the period, open disputes, pending credit requests; exposure.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
class DeadLetter:
    """An event accounting-svc's consumer could not decode or apply and sent to `<topic>.dlq`, and has not applied
    since (a replay that applied it clears it). Event id and type are null when the record was not an envelope."""

    event_id: str | None
    event_type: str | None
    topic: str
    partition: int
    offset: int
    reason: str
    at: datetime
    letter_id: int | None = None  # GET /v1/dead-letters names it; a billing director may dismiss it there

    def as_detail(self) -> dict[str, Any]:
        return {"letter_id": self.letter_id, "event_id": self.event_id, "event_type": self.event_type,
                "topic": self.topic, "partition": self.partition, "offset": self.offset, "reason": self.reason,
                "dead_lettered_at": self.at.isoformat()}


@dataclass(frozen=True)
class JournalFigures:
    """What accounting-svc posted: invoices of the period (count, Σ total per currency), events still waiting for
    their invoice, the receivable and customer-credit balances (per currency), what invoice-svc reported, and the
    dead letters (not applied since) from the period's first day on."""

    posted: dict[str, tuple[int, Decimal]]
    waiting: int
    receivable: dict[str, Decimal]
    customer_credits: dict[str, Decimal]
    reported: dict[str, tuple[Decimal, Decimal]]  # currency -> (Σ balance_due, Σ overpaid)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    dead_letters_since: datetime | None = None


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


DEAD_LETTERS_LISTED = 50


def journal_item(issued: dict[str, tuple[int, Decimal]] | None, figures: JournalFigures) -> CheckItem:
    """Complete when the invoices posted for the period equal those issued (count and Σ total per currency) and
    nothing accounting-svc consumed was dead-lettered since the period began. A dead letter carries no period (an
    undecodable record has none), so every one from the period's first day on counts, whatever document it was:
    the journal cannot be known complete while an event it should have posted lies in a dead-letter topic. A
    dead letter stops counting once a replay of it is applied."""
    details: dict[str, Any] = {
        "posted": {c: {"count": n, "total": str(t)} for c, (n, t) in figures.posted.items()},
        "waiting_events": figures.waiting, "dead_lettered": len(figures.dead_letters),
        "dead_letters": [d.as_detail() for d in figures.dead_letters[:DEAD_LETTERS_LISTED]]}
    problems = []
    if issued is None:
        problems.append("what invoice-svc issued for the period is unknown")
    else:
        details["issued"] = {c: {"count": n, "total": str(t)} for c, (n, t) in issued.items()}
        differing = sorted(c for c in set(issued) | set(figures.posted)
                           if issued.get(c, (0, ZERO)) != figures.posted.get(c, (0, ZERO)))  # Decimal: 1.50 == 1.5
        if differing:
            problems.append(f"posted invoices differ from issued ones in {', '.join(differing)}")
    if figures.dead_letters:
        problems.append(_dead_letters_why(figures.dead_letters, figures.dead_letters_since))
    if problems:
        return CheckItem("journal_complete", "fail", True, "; ".join(problems), details)
    return CheckItem("journal_complete", "pass", True,
                     "every invoice issued for the period is posted and nothing consumed was dead-lettered", details)


def _dead_letters_why(dead: list[DeadLetter], since: datetime | None) -> str:
    named = ", ".join(f"{d.event_type or 'a record'} {d.event_id or f'at {d.topic}:{d.partition}:{d.offset}'}"
                      f" ({d.reason[:120]})" for d in dead[:3])
    more = f" and {len(dead) - 3} more" if len(dead) > 3 else ""
    when = f" since {since.date().isoformat()}" if since is not None else ""
    return (f"{len(dead)} events accounting-svc consumed were dead-lettered{when} and not applied since: "
            f"{named}{more}; replay them (mediabill_common.kafka.dlq) once the cause is fixed, or dismiss one that "
            f"posts nothing (POST /v1/dead-letters/{{id}}/dismiss)")


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
