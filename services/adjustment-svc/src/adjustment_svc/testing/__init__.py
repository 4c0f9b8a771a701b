"""Builders and helpers for adjustment-svc tests (its own suites, tests/security): event data as its producers
publish it, events applied with the service's own handlers, request bodies and tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adjustment_svc.app.handlers import HANDLERS
from adjustment_svc.context import AdjustmentContext
from adjustment_svc.entrypoints.consumer import unit_in
from mediabill_common.consumer import Event
from mediabill_common.testing.kafka import envelope_for
from mediabill_common.testing.plugin import bearer

ANALYST, MANAGER, DIRECTOR = "billing-analyst", "billing-manager", "billing-director"


def invoice_issued(invoice_id: str, lines: list[tuple[str, str, str, str | None]], *, currency: str = "USD",
                   bill_to: str | None = None, number: str | None = None, period: str = "2025-03") -> dict[str, Any]:
    """InvoiceIssued data; lines are (invoice_line_id, kind, amount, tax_code). The bill-to is the invoice's own
    unless named (approval limits sum a bill-to account's requests: tests share a database)."""
    total = sum((Decimal(a) for _, _, a, _ in lines))

    def by_kind(wanted: str) -> str:
        return str(sum((Decimal(a) for _, kind, a, _ in lines if kind == wanted), Decimal("0.00")))

    return {
        "invoice_id": invoice_id, "invoice_number": number or f"INV-2025-{abs(hash(invoice_id)) % 10**8:08d}",
        "account_id": "ADV-1", "bill_to_account_id": bill_to or f"AG-{invoice_id}", "contract_id": "IO-7",
        "po_number": None, "period": period, "period_start": "2025-03-01", "period_end": "2025-03-31",
        "issue_date": "2025-04-01", "due_date": "2025-05-01", "currency": currency,
        "lines": [{"invoice_line_id": lid, "kind": kind, "product_code": "DISPLAY", "description": f"{kind} {lid}",
                   "quantity": 1, "unit_price": amount, "amount": amount, "tax_code": tax_code}
                  for lid, kind, amount, tax_code in lines],
        "subtotal": by_kind("usage"), "discount_total": by_kind("discount"),
        "commission_total": by_kind("agency_commission"), "tax_total": by_kind("tax"), "total": str(total),
    }


def worked_example(invoice_id: str, **kw) -> dict[str, Any]:
    """billing-rules.md's worked example: usage 2,000.00, discount -100.00, commission -285.00 = 1,615.00."""
    return invoice_issued(invoice_id, [("L1", "usage", "2000.00", None), ("OD", "over_delivery", "0.00", None),
                                       ("D", "discount", "-100.00", None),
                                       ("C", "agency_commission", "-285.00", None)], **kw)


def big_invoice(invoice_id: str, **kw) -> dict[str, Any]:
    """No discount, commission or tax, so a memo's total is the amount requested."""
    return invoice_issued(invoice_id, [("L1", "usage", "100000.00", None), ("L2", "flat_fee", "1000.00", None)],
                          **kw)


def dispute_opened(dispute_id: str, invoice: dict, lines: list[tuple[str, str]], *,
                   reason_code: str = "invalid_traffic") -> dict[str, Any]:
    amount = sum(Decimal(a) for _, a in lines)
    now = datetime.now(UTC)
    return {"dispute_id": dispute_id, "invoice_id": invoice["invoice_id"],
            "invoice_number": invoice["invoice_number"], "bill_to_account_id": invoice["bill_to_account_id"],
            "lines": [{"invoice_line_id": lid, "amount": a} for lid, a in lines], "amount": str(amount),
            "currency": invoice["currency"], "reason_code": reason_code, "opened_by": "advertiser-portal",
            "opened_at": now.isoformat(), "sla_due_at": (now + timedelta(days=30)).isoformat()}


def dispute_resolved(dispute_id: str, invoice: dict, *, outcome: str, credit: str, resolver: str,
                     root_cause: str | None = None) -> dict:
    cause = {} if root_cause is None else {"root_cause": root_cause}
    return cause | {"dispute_id": dispute_id, "invoice_id": invoice["invoice_id"],
            "bill_to_account_id": invoice["bill_to_account_id"], "outcome": outcome, "credit_amount": credit,
            "currency": invoice["currency"], "resolution_note": "IVT confirmed", "resolved_by": resolver,
            "resolved_at": datetime.now(UTC).isoformat()}


async def apply_events(ctx: AdjustmentContext, events: list[tuple[str, dict[str, Any], str]]) -> None:
    """Apply (type, data, subject) events with the service's handler table, each in its own transaction, as its
    consumer would (what they park and replay included)."""
    for event_type, data, subject in events:
        event = Event.of(envelope_for(event_type, data, subject=subject))
        async with ctx.sessions.begin() as session:
            await HANDLERS.dispatch(event, unit_in(ctx, session))


def as_(role: str, sub: str) -> dict[str, str]:
    return bearer([role], sub)


def credit_body(invoice_id: str, lines: list[tuple[str, str]], *, kind: str = "credit",
                reason_code: str = "invalid_traffic", **extra) -> dict[str, Any]:
    body = {"invoice_id": invoice_id, "kind": kind, "reason_code": reason_code, "note": "IVT on the line",
            "lines": [{"invoice_line_id": lid, "amount": a, "description": f"{kind} on {lid}"} for lid, a in lines]}
    body.update(extra)
    return body
