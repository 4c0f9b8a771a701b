"""A fresh re-price of the invoice's products through invoice-svc, compared line by line with the invoice."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dispute_svc.app.ports import InvoiceServiceClient, InvoiceServiceUnavailable
from dispute_svc.domain.evidence import PricedLine, compare_line
from mediabill_common.events.catalog import CampaignDelivered

if TYPE_CHECKING:
    from dispute_svc.app.evidence import EvidenceInputs

_PRICED_KINDS = ("usage", "flat_fee", "over_delivery")


SOURCE_CONFLICT = "source_conflict"


def _simulation_delivery(item: dict[str, Any]) -> dict[str, Any]:
    """The ledger record's current figures, limited to what a CampaignDelivered carries.

    A record that keeps its figures only in `revisions[]` is read from its highest revision.
    """
    figures = dict(item)
    revisions: list[dict[str, Any]] = [r for r in item.get("revisions") or [] if isinstance(r, dict)]
    if "impressions" not in item and revisions:
        latest = max(revisions, key=lambda r: int(r.get("revision", 0)))
        figures = {**item, **latest}
    return {k: figures[k] for k in CampaignDelivered.model_fields if k in figures}


def _missing_config(inputs: EvidenceInputs, code: str) -> str | None:
    if inputs.products.get(code) is None:
        return f"product {code} is not in dispute-svc's config read model (no billing.config.v1 event received)"
    if inputs.account is None:
        return (f"bill-to account {inputs.invoice.bill_to_account_id} is not in dispute-svc's config read model "
                "(no BillingAccountUpserted received)")
    if inputs.invoice.contract_id and inputs.terms is None:
        return f"contract {inputs.invoice.contract_id} is not in dispute-svc's config read model"
    return None


async def _reprice_product(client: InvoiceServiceClient, inputs: EvidenceInputs, code: str,
                           deliveries: Mapping[str, Any]) -> dict[str, Any]:
    missing = _missing_config(inputs, code)
    if missing:
        return {"product_code": code, "available": False, "reason": missing}
    line_items = sorted({ln.line_item_id for ln in inputs.invoice.lines
                         if ln.product_code == code and ln.line_item_id and ln.kind in _PRICED_KINDS})
    records: list[dict[str, Any]] = []
    for line_item in line_items:
        found = deliveries.get(line_item)
        if isinstance(found, InvoiceServiceUnavailable):
            return {"product_code": code, "available": False,
                    "reason": f"deliveries of line item {line_item} unavailable: {found}"}
        # A record whose day another delivery source bills (invoice-svc's source_conflict) was never billed.
        records.extend(_simulation_delivery(item) for item in found or []
                       if SOURCE_CONFLICT not in (item.get("exception_kinds") or ()))
    request = {
        "period": inputs.invoice.period, "product": inputs.products[code],
        # The whole contract with its versions: invoice-svc picks the terms in effect for the period itself.
        "contract": inputs.contract, "bill_to": inputs.account,
        "already_billed": [{"line_item_id": li, "amount": format(inputs.already_billed[li], "f")}
                           for li in line_items if li in inputs.already_billed],
        "deliveries": records,
    }
    try:
        result = await client.price_simulation(request)
    except InvoiceServiceUnavailable as exc:
        return {"product_code": code, "available": False, "reason": str(exc)}
    return {"product_code": code, "available": True, "deliveries_priced": len(records), "result": result}


def _compare(inputs: EvidenceInputs, products: list[dict[str, Any]]) -> tuple[list[dict], dict[str, dict]]:
    currency = inputs.invoice.currency
    disputed = {ln.invoice_line_id for ln in inputs.dispute.lines}
    rows, by_line = [], {}
    for product in (p for p in products if p["available"]):
        priced = [PricedLine(ln.get("line_item_id"), ln.get("kind", ""), Decimal(str(ln.get("amount", "0"))))
                  for ln in product["result"].get("lines", [])]
        for line in inputs.invoice.lines:
            if line.product_code != product["product_code"] or line.kind not in _PRICED_KINDS:
                continue
            diff = compare_line(line.invoice_line_id, line.line_item_id, line.kind, line.amount, priced, currency)
            row = {"invoice_line_id": diff.invoice_line_id, "line_item_id": diff.line_item_id, "kind": diff.kind,
                   "invoiced_amount": diff.invoiced_amount, "repriced_amount": diff.repriced_amount,
                   "difference": diff.difference, "matches": diff.difference == 0, "verdict": diff.verdict,
                   "disputed": line.invoice_line_id in disputed}
            rows.append(row)
            by_line[line.invoice_line_id] = row
    return rows, by_line


async def reprice_products(client: InvoiceServiceClient, inputs: EvidenceInputs,
                           deliveries: Mapping[str, Any]) -> dict[str, Any]:
    """One price simulation per product on the invoice; per-line differences for the products priced."""
    codes = sorted(inputs.products)
    products = list(await asyncio.gather(*(_reprice_product(client, inputs, code, deliveries) for code in codes)))
    rows, by_line = _compare(inputs, products)
    unavailable = [p for p in products if not p["available"]]
    summary: dict[str, Any] = {"available": bool(products) and not unavailable, "products": products,
                               "lines": rows}
    if not products:
        summary["reason"] = "the invoice has no usage or flat-fee lines to re-price"
    elif unavailable:
        summary["reason"] = "; ".join(f"{p['product_code']}: {p['reason']}" for p in unavailable)
    mismatched = [r for r in rows if not r["matches"]]
    summary["invoice_matches_reprice"] = None if not rows else not mismatched
    return {"summary": summary, "by_line": by_line}
