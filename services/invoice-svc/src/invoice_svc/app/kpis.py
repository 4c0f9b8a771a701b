"""Billing KPIs: invoices issued and billed value per period, billing accuracy, open exceptions at risk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from invoice_svc.app.ports import BillingFigures
from invoice_svc.domain.billing.kpis import billing_accuracy
from mediabill_common.money import round_money


def _fmt(value: Decimal, currency: str | None) -> str:
    return format(round_money(value, currency) if currency else value, "f")


async def billing_kpis(figures: BillingFigures, period_from: str, period_to: str) -> dict[str, Any]:
    by_currency: dict[str, dict[str, Decimal]] = {}
    periods = []
    for r in await figures.billed_by_period(period_from, period_to):
        periods.append({"period": r.period, "currency": r.currency, "invoices_issued": r.invoices,
                        "billed_value": _fmt(r.billed, r.currency), "credited_value": _fmt(r.credited, r.currency)})
        sums = by_currency.setdefault(r.currency, {"billed": Decimal(0), "credited": Decimal(0), "n": Decimal(0)})
        sums["billed"] += r.billed
        sums["credited"] += r.credited
        sums["n"] += r.invoices
    accuracy = []
    for currency, s in sorted(by_currency.items()):
        value = billing_accuracy(s["billed"], s["credited"])
        accuracy.append({"currency": currency, "invoices_issued": int(s["n"]),
                         "billed_value": _fmt(s["billed"], currency), "credited_value": _fmt(s["credited"], currency),
                         "billing_accuracy": None if value is None else format(value, "f")})
    exceptions = [{"kind": r.kind, "currency": r.currency, "open": r.open,
                   "value_at_risk": _fmt(r.at_risk, r.currency)} for r in await figures.open_exceptions()]
    return {"from": period_from, "to": period_to, "periods": periods, "by_currency": accuracy,
            "open_exceptions": {"count": sum(e["open"] for e in exceptions), "by_kind": exceptions}}
