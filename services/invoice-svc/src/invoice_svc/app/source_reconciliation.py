"""GET /v1/reconciliations/sources (oversight.md O1): two delivery sources compared per (contract, line item,
service date) over a period, each side's quantity in the line's billing unit and its value, with a summary.

A day's value is its quantity times the line's effective value per unit in the period's preview: the line is priced
by the bill run's engine, with the contract terms in effect and without the budget cap, over the deliveries the
preview would bill (the billing source's); the amount of its usage lines over the quantity they bill is the value
of one unit. A line with no billable delivery in the period is priced the same way over the left source's records
(else the right's). A line the engine cannot price (missing rate, ...) has no values and names why (`unpriced`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.bill_run_parties import BillingAccount, BillingContract
from invoice_svc.app.bill_run_pricing import RunScope, pricing_scope
from invoice_svc.app.ports import BillingUnit, SourceDays
from invoice_svc.app.stored import SourceDay
from invoice_svc.domain.billing.grouping import delivery_scope
from invoice_svc.domain.close.source_reconciliation import (
    DayComparison,
    ReconciliationSummary,
    day_value,
    difference_pct,
    source_status,
    summarize,
    unit_value,
)
from invoice_svc.domain.pricing import ContractTerms, Delivery, Product
from invoice_svc.domain.pricing.basis import UNITS, counted
from invoice_svc.domain.pricing.usage import UsageContext, price_usage

DayKey = tuple[str, str, date]          # (contract id or "", line item id, service date)


@dataclass(frozen=True)
class SourceReconciliationQuery:
    period: str
    left: str
    right: str
    product_code: str | None = None
    contract_id: str | None = None
    tolerance_pct: Decimal = Decimal(1)


@dataclass(frozen=True)
class SourceReconciliation:
    """Every compared day in (contract, line item, date) order, and their summary."""

    rows: list[dict[str, Any]]
    summary: ReconciliationSummary


@dataclass(frozen=True)
class _Line:
    """What pricing one (contract, line item) needs and gives: its product, currency and value of one unit."""

    product: Product
    currency: str
    unit_value: Decimal | None
    unpriced: tuple[str, ...]


async def reconcile_sources(unit: BillingUnit, days: SourceDays, query: SourceReconciliationQuery,
                            now: datetime) -> SourceReconciliation:
    """Compare `query.left` with `query.right` over the period, both sides read at their current revisions."""
    scope = await pricing_scope(unit, "source-reconciliation", "preview", query.period, now)
    found = await days.source_days([query.left, query.right], scope.start, scope.end,
                                   product_code=query.product_code, contract_id=query.contract_id)
    sides: dict[DayKey, dict[str, SourceDay]] = {}
    for day in found:
        product = scope.products.get(day.product_code)
        if product is None or product.pricing_model == "flat_fee":
            continue    # flat fees bill days of a flight, not delivered quantities
        sides.setdefault((day.contract_id or "", day.line_item_id, day.delivery_date), {})[day.source_system] = day
    lines = await _price_lines(unit, scope, sides, (query.left, query.right))
    rows = [_row(key, found_sides, lines[(key[0], key[1])], query) for key, found_sides in sorted(sides.items())]
    return SourceReconciliation(rows, summarize(
        DayComparison(r["status"], r["currency"], _dec(r["left_value"]), _dec(r["right_value"])) for r in rows))


async def _price_lines(unit: BillingUnit, scope: RunScope, sides: Mapping[DayKey, Mapping[str, SourceDay]],
                       preference: tuple[str, str]) -> dict[tuple[str, str], _Line]:
    """Each compared (contract, line item) priced as the period's preview would price it."""
    first: dict[tuple[str, str], SourceDay] = {}
    records: dict[tuple[str, str], dict[str, list[Delivery]]] = {}
    for (contract_key, line_item_id, _), found in sides.items():
        for source, day in found.items():
            first.setdefault((contract_key, line_item_id), day)
            records.setdefault((contract_key, line_item_id), {}).setdefault(source, []).append(_delivery(day))
    contract_ids = sorted({c for c, _ in first if c})
    self_serve = sorted({d.account_id for (c, _), d in first.items() if not c})
    accounts, contracts = await unit.snapshot.party_states(self_serve, contract_ids)
    billing = await unit.snapshot.aggregated_deliveries(
        contract_ids=contract_ids, self_serve=self_serve, start=scope.start, end=scope.end, snap=scope.snap,
        split_products=scope.split_products)
    out: dict[tuple[str, str], _Line] = {}
    for (contract_key, line_item_id), day in first.items():
        product = scope.products[day.product_code]
        terms = BillingContract.from_stored(contracts[contract_key]).terms_for(scope.period) \
            if contract_key in contracts else None
        currency = terms.currency if terms is not None else (
            BillingAccount.from_stored(accounts[day.account_id]).pricing.currency if day.account_id in accounts
            else day.currency or "USD")
        billed = [d for d in billing.get(delivery_scope(contract_key, day.account_id), [])
                  if d.line_item_id == line_item_id and d.product_code == product.code]
        by_source = records[(contract_key, line_item_id)]
        priced_over = billed or next(by_source[s] for s in preference if s in by_source)
        out[(contract_key, line_item_id)] = _priced(product, currency, terms, line_item_id, priced_over)
    return out


def _priced(product: Product, currency: str, terms: ContractTerms | None, line_item_id: str,
            deliveries: Sequence[Delivery]) -> _Line:
    contract_line = terms.line(line_item_id) if terms is not None else None
    priced = price_usage(UsageContext("source-reconciliation", currency, product, line_item_id, tuple(deliveries),
                                      terms, contract_line, apply_budget=False))
    blocking = tuple(e.kind for e in priced.exceptions if e.blocks_issue)
    if blocking:
        return _Line(product, currency, None, blocking)
    usage = [ln for ln in priced.lines if ln.kind == "usage"]
    value = unit_value(sum((ln.amount for ln in usage), Decimal(0)), sum(ln.quantity for ln in usage))
    return _Line(product, currency, value, ())


def _row(key: DayKey, found: Mapping[str, SourceDay], line: _Line, query: SourceReconciliationQuery) \
        -> dict[str, Any]:
    contract_key, line_item_id, service_date = key
    model = line.product.pricing_model
    left, right = (_quantity(model, found.get(source)) for source in (query.left, query.right))
    status = source_status(left, right, query.tolerance_pct)
    left_value, right_value = (day_value(q, line.unit_value, line.currency) for q in (left, right))
    pct = difference_pct(left, right)
    value_difference = None if line.unit_value is None else (right_value or Decimal(0)) - (left_value or Decimal(0))
    return {
        "contract_id": contract_key or None, "line_item_id": line_item_id, "product_code": line.product.code,
        "service_date": service_date, "unit": UNITS[model], "currency": line.currency,
        "left_quantity": left, "right_quantity": right, "difference": (right or 0) - (left or 0),
        "difference_pct": None if pct is None else format(pct, "f"), "status": status,
        "left_value": _text(left_value), "right_value": _text(right_value), "value_difference": _text(value_difference),
        "billed": any(day.bills for day in found.values()), "unpriced": list(line.unpriced),
    }


def _quantity(model: str, day: SourceDay | None) -> int | None:
    return None if day is None else counted(model, [_delivery(day)])


def _delivery(day: SourceDay) -> Delivery:
    return Delivery(
        delivery_id=f"{day.source_system}:{day.line_item_id}:{day.delivery_date}", line_item_id=day.line_item_id,
        product_code=day.product_code, delivery_date=day.delivery_date, account_id=day.account_id,
        contract_id=day.contract_id, impressions=int(day.impressions),
        viewable_impressions=int(day.viewable_impressions), clicks=int(day.clicks), conversions=int(day.conversions),
        third_party_impressions=None if day.third_party_impressions is None else int(day.third_party_impressions),
        media_cost=day.media_cost, currency=day.currency)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
