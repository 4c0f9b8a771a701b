"""Billing KPIs: invoices issued and billed value per period, billing accuracy, open exceptions, revenue at risk
(billable value held back from invoicing) and over-delivery (never billable, reported apart)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.ports import BillingFigures
from invoice_svc.app.stored import OpenExceptions
from invoice_svc.domain.billing.exposure import exposure_of
from invoice_svc.domain.billing.kpis import billing_accuracy, share
from mediabill_common.money import round_money


def _fmt(value: Decimal, currency: str | None) -> str:
    return format(round_money(value, currency) if currency else value, "f")


async def billing_kpis(figures: BillingFigures, period_from: str, period_to: str,
                       raised_from: datetime, raised_to: datetime) -> dict[str, Any]:
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
    exceptions = open_exceptions_figures(await figures.open_exceptions())
    return {"from": period_from, "to": period_to, "periods": periods, "by_currency": accuracy,
            "open_exceptions": {"count": exceptions["count"], "by_kind": exceptions["by_kind"]},
            "revenue_at_risk": exceptions["revenue_at_risk"], "over_delivery_value": exceptions["over_delivery_value"],
            "automation": await _automation(figures, period_from, period_to, raised_from, raised_to)}


async def _automation(figures: BillingFigures, period_from: str, period_to: str, raised_from: datetime,
                      raised_to: datetime) -> dict[str, Any]:
    """The touchless share of invoices (per period and over the range) and the self-healed share of the billing
    exceptions raised in the window."""
    periods = await figures.touchless_by_period(period_from, period_to)
    issued, touchless = sum(p.issued for p in periods), sum(p.touchless for p in periods)
    healed = await figures.exceptions_healed(raised_from, raised_to)

    def fmt(value: Decimal | None) -> str | None:
        return None if value is None else format(value, "f")
    return {
        "invoices": issued, "touchless_invoices": touchless, "touchless_share": fmt(share(touchless, issued)),
        "by_period": [{"period": p.period, "invoices": p.issued, "touchless_invoices": p.touchless,
                       "touchless_share": fmt(share(p.touchless, p.issued))} for p in periods],
        "exceptions_raised": healed.raised, "exceptions_resolved": healed.resolved,
        "self_healed": healed.self_healed, "self_healed_share": fmt(share(healed.self_healed, healed.resolved)),
    }


def open_exceptions_figures(rows: Sequence[OpenExceptions]) -> dict[str, Any]:
    """Open exceptions: their count, per kind and currency, revenue at risk and over-delivery per currency (the
    KPIs over every open exception; a period's billing status over those of its deliveries)."""
    by_kind = _by_kind(rows)
    return {"count": sum(e["open"] for e in by_kind), "by_kind": by_kind, "revenue_at_risk": _revenue_at_risk(rows),
            "over_delivery_value": _over_delivery(rows)}


def _by_kind(rows: Sequence[OpenExceptions]) -> list[dict[str, Any]]:
    """Per kind and currency: open count, its exposure, and the value that exposure counts (null otherwise)."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for r in rows:
        exposure = exposure_of(r.kind)
        entry = out.setdefault((r.kind, r.currency), {
            "kind": r.kind, "currency": r.currency, "exposure": exposure, "open": 0,
            "value_at_risk": Decimal(0) if exposure == "revenue_at_risk" else None, "unpriced": 0,
            "over_delivery_value": Decimal(0) if exposure == "over_delivery" else None})
        entry["open"] += r.open
        if exposure == "revenue_at_risk":
            entry["value_at_risk"] += r.amount
            entry["unpriced"] += r.unpriced
        elif exposure == "over_delivery":
            entry["over_delivery_value"] += r.over_delivery
    for entry in out.values():
        for key in ("value_at_risk", "over_delivery_value"):
            if entry[key] is not None:
                entry[key] = _fmt(entry[key], entry["currency"])
    return list(out.values())


def _revenue_at_risk(rows: Sequence[OpenExceptions]) -> list[dict[str, Any]]:
    """Per currency: the priced value held back, and what could not be priced (count, quantity per unit)."""
    out: dict[str | None, dict[str, Any]] = {}
    for r in rows:
        if exposure_of(r.kind) != "revenue_at_risk":
            continue
        entry = out.setdefault(r.currency, {"currency": r.currency, "value": Decimal(0), "open": 0,
                                            "unpriced": 0, "unpriced_quantity": {}})
        entry["value"] += r.amount
        entry["open"] += r.open
        entry["unpriced"] += r.unpriced
        if r.unpriced and r.unit is not None:
            entry["unpriced_quantity"][r.unit] = entry["unpriced_quantity"].get(r.unit, 0) + r.unpriced_quantity
    return [e | {"value": _fmt(e["value"], e["currency"]),
                 "unpriced_quantity": [{"unit": u, "quantity": q} for u, q in sorted(e["unpriced_quantity"].items())]}
            for _, e in sorted(out.items(), key=lambda kv: kv[0] or "")]


def _over_delivery(rows: Sequence[OpenExceptions]) -> list[dict[str, Any]]:
    """Per currency: delivery beyond booked budgets (informational: it can never be billed)."""
    out: dict[str | None, Decimal] = {}
    for r in rows:
        if exposure_of(r.kind) == "over_delivery":
            out[r.currency] = out.get(r.currency, Decimal(0)) + r.over_delivery
    return [{"currency": c, "value": _fmt(v, c)} for c, v in sorted(out.items(), key=lambda kv: kv[0] or "")]
