"""Builders for accounting-svc tests (its own suites, tests/e2e, tests/faults): event data as its producers publish
it, and events applied with the service's own handlers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accounting_svc.app.handlers import HANDLERS
from accounting_svc.context import AccountingContext
from accounting_svc.entrypoints.consumer import unit_in
from mediabill_common.consumer import Event
from mediabill_common.testing.kafka import envelope_for

Line = tuple[str, str, str] | tuple[str, str, str, dict[str, Any]]


def invoice_issued(invoice_id: str, lines: list[Line], *, currency: str = "USD", bill_to: str = "AG-1",
                   period: str = "2026-11", issue_date: str = "2026-12-01") -> dict[str, Any]:
    """InvoiceIssued data; lines are (invoice_line_id, kind, amount[, extra fields such as tax_code or
    adjusts_kind]); the total is their sum."""
    rows = []
    for line in lines:
        lid, kind, amount = line[0], line[1], line[2]
        extra: dict[str, Any] = line[3] if len(line) > 3 else {}  # type: ignore[misc]
        rows.append({"invoice_line_id": lid, "kind": kind, "product_code": extra.pop("product_code", "DISPLAY"),
                     "gl_revenue_account": extra.pop("gl_revenue_account", "4010"), "description": f"{kind} {lid}",
                     "quantity": 1, "unit_price": amount, "amount": amount, **extra})
    total = sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))

    def by_kind(wanted: str) -> str:
        return str(sum((Decimal(r["amount"]) for r in rows if r["kind"] == wanted), Decimal("0.00")))

    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id}", "account_id": "ADV-1",
            "bill_to_account_id": bill_to, "contract_id": "IO-7", "po_number": None, "period": period,
            "period_start": f"{period}-01", "period_end": f"{period}-28", "issue_date": issue_date,
            "due_date": "2027-01-01", "currency": currency, "lines": rows, "subtotal": by_kind("usage"),
            "discount_total": by_kind("discount"), "commission_total": by_kind("agency_commission"),
            "tax_total": by_kind("tax"), "total": str(total)}


def memo_issued(memo_id: str, invoice_id: str, lines: list[tuple[str | None, str, str]], *, currency: str = "USD",
                bill_to: str = "AG-1", issued_at: str = "2026-12-05T10:00:00Z") -> dict[str, Any]:
    """CreditMemoIssued / DebitMemoIssued data; lines are (invoice_line_id, kind, amount) signed as adjustment-svc
    signs them (the change to the named line)."""
    total = sum((Decimal(a) for _, _, a in lines), Decimal("0.00"))
    return {"memo_id": memo_id, "memo_number": f"CM-{memo_id}", "adjustment_id": f"adj-{memo_id}",
            "invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id}", "bill_to_account_id": bill_to,
            "dispute_id": None, "lines": [{"invoice_line_id": lid, "kind": kind, "amount": amount,
                                           "description": kind} for lid, kind, amount in lines],
            "total": str(total), "currency": currency, "reason_code": "other", "requested_by": "ann",
            "approved_by": ["bob"], "issued_at": issued_at}


def balance_changed(invoice_id: str, *, total: str, credited: str = "0", debited: str = "0", paid: str = "0",
                    reason: str = "payment", caused_by: str = "evt-0", currency: str = "USD",
                    bill_to: str = "AG-1") -> dict[str, Any]:
    """InvoiceBalanceChanged data as invoice-svc computes it (rule 17; a voided invoice owes nothing)."""
    n = Decimal(0) if reason == "void" else Decimal(total) - Decimal(credited) + Decimal(debited) - Decimal(paid)
    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id}", "bill_to_account_id": bill_to,
            "currency": currency, "total": total, "credited": credited, "debited": debited, "paid": paid,
            "balance_due": str(max(n, Decimal(0))), "overpaid": str(max(-n, Decimal(0))), "disputed_amount": "0",
            "status": _status(reason, n, Decimal(paid)), "reason": reason,
            "caused_by": caused_by}


def _status(reason: str, n: Decimal, paid: Decimal) -> str:
    if reason == "void":
        return "void"
    if n <= 0:
        return "paid"
    return "partially_paid" if paid else "issued"


def event(event_type: str, data: dict[str, Any], *, event_id: str | None = None,
          time: datetime | None = None) -> Event[Any]:
    """An event as the consumer hands it to a handler."""
    envelope = envelope_for(event_type, data, subject=str(data.get("invoice_id") or data.get("period") or "s"),
                            id=event_id)
    if time is not None:
        envelope = envelope.model_copy(update={"time": time.astimezone(UTC)})
    return Event.of(envelope)


async def apply_events(ctx: AccountingContext, *events: Event[Any]) -> None:
    """Apply events through the service's handlers in one transaction, as the consumer would."""
    async with ctx.sessions() as session, session.begin():
        unit = unit_in(ctx, session)
        for e in events:
            await HANDLERS.dispatch(e, unit)


async def apply_batch(ctx: AccountingContext, *events: Event[Any]) -> None:
    """Apply events in one transaction as the consumer applies a polled batch: a type with a batch handler gets all
    its events of the batch at once (where the first of them stands), the others one by one."""
    done: set[str] = set()
    async with ctx.sessions() as session, session.begin():
        unit = unit_in(ctx, session)
        for e in events:
            batch_handler = HANDLERS.batch_handlers.get(e.type)
            if batch_handler is None:
                await HANDLERS.dispatch(e, unit)
            elif e.type not in done:
                done.add(e.type)
                await batch_handler([x for x in events if x.type == e.type], unit)
