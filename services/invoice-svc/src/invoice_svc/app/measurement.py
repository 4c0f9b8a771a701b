"""GET /v1/reconciliations/measurement (oversight.md O2): per contract line billed on impressions (CPM), first-party
against third-party impressions of the period's deliveries (latest revisions, billing source only), the discrepancy
and where it stands against rule 5's threshold, the billing basis in effect, what issued invoices billed for the
line and period, and the value at stake: the line priced by the bill run's engine on first-party impressions minus
what was billed."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.bill_run_parties import BillingContract
from invoice_svc.app.bill_run_pricing import pricing_scope
from invoice_svc.app.ports import BillingUnit, MeasurementFigures
from invoice_svc.domain.close.measurement import discrepancy_pct, measurement_status, value_at_stake
from invoice_svc.domain.pricing import ContractTerms, Delivery, Product
from invoice_svc.domain.pricing.basis import lacking_third_party
from invoice_svc.domain.pricing.usage import UsageContext, price_usage
from mediabill_common.money import round_money

Billed = tuple[Decimal, Decimal, int]


@dataclass(frozen=True)
class MeasurementTotals:
    """One currency's totals over every measured line: lines per status, what was billed, and the first-party value
    and value at stake of the lines that could be priced (`unpriced_lines` could not)."""

    currency: str
    lines: int = 0
    within_threshold: int = 0
    beyond_threshold: int = 0
    missing_third_party: int = 0
    unpriced_lines: int = 0
    quantity_billed: int = 0
    billed: Decimal = Decimal(0)
    first_party_value: Decimal = Decimal(0)
    value_at_stake: Decimal = Decimal(0)


@dataclass(frozen=True)
class MeasurementQuery:
    period: str
    contract_id: str | None = None
    after: tuple[str, str] | None = None     # (contract id, line item id) of the previous page's last row
    limit: int = 50


async def measurement_rows(unit: BillingUnit, figures: MeasurementFigures, query: MeasurementQuery,
                           now: datetime) -> list[dict[str, Any]]:
    """Up to `limit + 1` rows in (contract id, line item id) order after `query.after`."""
    scope = await pricing_scope(unit, "measurement", "preview", query.period, now)
    contracts = [(cid, state) for cid, state in await figures.contracts_in_flight(scope.start, scope.end)
                 if (query.contract_id is None or cid == query.contract_id)
                 and (query.after is None or cid >= query.after[0])]
    rows: list[dict[str, Any]] = []
    for contract_id, state in contracts:
        terms = BillingContract.from_stored(state).terms_for(query.period)
        lines = sorted(ln.line_item_id for ln in terms.lines
                       if (p := scope.products.get(ln.product_code)) is not None and p.pricing_model == "cpm"
                       and (query.after is None or (contract_id, ln.line_item_id) > query.after))
        if not lines:
            continue
        deliveries = (await unit.snapshot.aggregated_deliveries(
            contract_ids=[contract_id], self_serve=(), start=scope.start, end=scope.end, snap=now,
            split_products=scope.split_products)).get(contract_id, [])
        billed = await figures.billed_quantity_by_line([contract_id], query.period)
        for line_item_id in lines:
            rows.append(_line_measurement(scope.products, terms, line_item_id, deliveries,
                                          billed.get((contract_id, line_item_id)), query.period))
            if len(rows) > query.limit:
                return rows
    return rows


async def measurement_totals(unit: BillingUnit, figures: MeasurementFigures, period: str,
                             contract_id: str | None, now: datetime) -> list[MeasurementTotals]:
    """Totals per currency (in currency order) over every line `measurement_rows` lists for the period, so a
    reader never adds up pages of rows itself. Amounts are sums of the rows' rounded amounts."""
    rows = await measurement_rows(unit, figures, MeasurementQuery(period, contract_id, None, sys.maxsize), now)
    totals: dict[str, MeasurementTotals] = {}
    for row in rows:
        total = totals.get(row["currency"]) or MeasurementTotals(row["currency"])
        priced = row["value_at_stake"] is not None
        totals[row["currency"]] = replace(
            total, lines=total.lines + 1, unpriced_lines=total.unpriced_lines + (0 if priced else 1),
            quantity_billed=total.quantity_billed + row["quantity_billed"],
            billed=total.billed + Decimal(row["billed"]),
            first_party_value=total.first_party_value + (Decimal(row["first_party_value"]) if priced else 0),
            value_at_stake=total.value_at_stake + (Decimal(row["value_at_stake"]) if priced else 0),
            **{row["status"]: getattr(total, row["status"]) + 1})
    return [totals[c] for c in sorted(totals)]


def _line_measurement(products: Mapping[str, Product], terms: ContractTerms, line_item_id: str,
                      deliveries: list[Delivery], billed: Billed | None, period: str) -> dict[str, Any]:
    contract_line = terms.line(line_item_id)
    assert contract_line is not None
    product = products[contract_line.product_code]
    currency = terms.currency
    billed_here, billed_other, quantity = billed if billed is not None else (Decimal(0), Decimal(0), 0)
    mine = tuple(d for d in deliveries if d.line_item_id == line_item_id and d.product_code == product.code)
    first = sum(d.impressions for d in mine)
    third = None if lacking_third_party(mine) else sum(d.third_party_impressions or 0 for d in mine)
    # The same engine and rate as the bill run, on the first-party basis: what the ad server's count would bill.
    priced = price_usage(UsageContext("measurement", currency, product, line_item_id, mine,
                                      replace(terms, billing_basis="first_party"), contract_line,
                                      billed_before=billed_other))
    blocking = [e.kind for e in priced.exceptions if e.blocks_issue]
    stake = value_at_stake(None if blocking else priced.billed, billed_here)
    pct = discrepancy_pct(first, third)
    return {
        "contract_id": terms.contract_id, "line_item_id": line_item_id, "product_code": product.code,
        "service_period": period, "currency": currency, "billing_basis": terms.billing_basis,
        "threshold_pct": format(terms.tolerance_pct, "f"), "first_party_impressions": first,
        "third_party_impressions": third, "discrepancy_pct": None if pct is None else format(pct, "f"),
        "status": measurement_status(first, third, terms.tolerance_pct), "quantity_billed": quantity,
        "billed": _money(stake.billed, currency), "first_party_value": _money(stake.first_party_value, currency),
        "value_at_stake": _money(stake.at_stake, currency), "unpriced": blocking,
    }


def _money(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else format(round_money(value, currency), "f")
