"""GET /v1/variance: per contract line and service period, gross -- booked (budget or fee spread over the flight),
delivered (the period's deliveries priced by the bill run's engine on the billing basis, capped, with the value
delivered beyond the cap beside it), billed (usage, flat-fee and prior-period lines for the period on issued
invoices) -- each difference with its % and a flag beyond the threshold; and what was collected per invoice.

Credits are not kept per line in invoice-svc (memos move an invoice's balance): they are shown per invoice, with
payments, under `collected`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.bill_run_parties import BillingContract
from invoice_svc.app.bill_run_pricing import pricing_scope
from invoice_svc.app.ports import BillingUnit, VarianceFigures
from invoice_svc.domain.close.variance import booked_share, difference
from invoice_svc.domain.pricing import ContractTerms, Delivery, Product
from invoice_svc.domain.pricing.draft import PricingException
from invoice_svc.domain.pricing.flat_fee import FlatFeeContext, fee_of
from invoice_svc.domain.pricing.usage import UsageContext, price_usage
from mediabill_common.money import round_money


def _money(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else format(round_money(value, currency), "f")


async def variance_report(unit: BillingUnit, figures: VarianceFigures, period: str, threshold_pct: Decimal,
                          now: datetime) -> dict[str, Any]:
    scope = await pricing_scope(unit, "variance", "preview", period, now)
    contracts = await figures.contracts_in_flight(scope.start, scope.end)
    ids = [contract_id for contract_id, _ in contracts]
    deliveries = await unit.snapshot.aggregated_deliveries(
        contract_ids=ids, self_serve=(), start=scope.start, end=scope.end, snap=now,
        split_products=scope.split_products) if ids else {}
    billed = await figures.billed_by_line(ids, period) if ids else {}
    lines = []
    for contract_id, state in contracts:
        terms = BillingContract.from_stored(state).terms_for(period)
        mine = deliveries.get(contract_id, [])
        for contract_line in terms.lines:
            lines.append(_line_variance(scope.products, terms, contract_line.line_item_id, mine,
                                        billed.get((contract_id, contract_line.line_item_id)), period,
                                        threshold_pct))
    collected = [{k: (_money(v, row["currency"]) if isinstance(v, Decimal) else v) for k, v in row.items()}
                 for row in (await figures.collected(ids, period) if ids else [])]
    return {"period": period, "threshold_pct": format(threshold_pct, "f"), "as_of": now.isoformat(),
            "lines": lines, "collected": collected}


def _line_variance(products: Mapping[str, Product], terms: ContractTerms, line_item_id: str,
                   deliveries: list[Delivery], billed: tuple[Decimal, Decimal] | None, period: str,
                   threshold_pct: Decimal) -> dict[str, Any]:
    contract_line = terms.line(line_item_id)
    assert contract_line is not None
    currency = terms.currency
    product = products.get(contract_line.product_code)
    billed_here, billed_other = billed if billed is not None else (Decimal(0), Decimal(0))
    delivered: Decimal | None = None
    over: Decimal | None = None
    problems: list[str] = []
    fee = None
    if product is None:
        problems.append("unknown_product")
    elif product.pricing_model == "flat_fee":
        fee = fee_of(FlatFeeContext("variance", period, terms, contract_line, product))
        delivered = booked_share(fee, terms.flight_start, terms.flight_end, period, currency)
    else:
        mine = tuple(d for d in deliveries if d.line_item_id == line_item_id and d.product_code == product.code)
        result = price_usage(UsageContext("variance", currency, product, line_item_id, mine, terms, contract_line,
                                          billed_before=billed_other))
        blocking: list[PricingException] = [e for e in result.exceptions if e.blocks_issue]
        problems.extend(e.kind for e in blocking)
        if not blocking:
            delivered = result.billed
            over = sum((ln.value or Decimal(0) for ln in result.lines if ln.kind == "over_delivery"), Decimal(0))
    booked = booked_share(contract_line.budget if contract_line.budget is not None else
                          (fee if fee is not None else contract_line.fee),
                          terms.flight_start, terms.flight_end, period, currency)
    delivered_vs_booked = difference(delivered, booked, threshold_pct)
    billed_vs_delivered = difference(billed_here, delivered, threshold_pct)
    return {
        "contract_id": terms.contract_id, "line_item_id": line_item_id, "product_code": contract_line.product_code,
        "service_period": period, "currency": currency, "booked": _money(booked, currency),
        "delivered": _money(delivered, currency), "over_delivery_value": _money(over, currency),
        "billed": _money(billed_here, currency),
        "delivered_vs_booked": _money(delivered_vs_booked.amount, currency),
        "delivered_vs_booked_pct": None if delivered_vs_booked.pct is None else format(delivered_vs_booked.pct, "f"),
        "billed_vs_delivered": _money(billed_vs_delivered.amount, currency),
        "billed_vs_delivered_pct": None if billed_vs_delivered.pct is None else format(billed_vs_delivered.pct, "f"),
        "flagged": delivered_vs_booked.flagged or billed_vs_delivered.flagged, "unpriced": problems,
    }
