"""The evidence pack of a dispute: disputed lines, terms in effect, deliveries behind each line, a fresh re-price.

Read in two steps so no database transaction stays open while invoice-svc is called: `load_evidence_inputs`
(inside the route's transaction) then `assemble_evidence` (HTTP). Whatever invoice-svc cannot give is reported
as unavailable with the reason; nothing is made up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dispute_svc.app.ports import DisputeUnit, InvoiceServiceClient, InvoiceServiceUnavailable
from dispute_svc.app.reprice import reprice_products
from dispute_svc.domain.errors import NotKnown
from dispute_svc.domain.evidence import TermsInEffect, terms_in_effect
from dispute_svc.domain.model import Dispute, InvoiceView

# Lines priced from deliveries and contract terms in the invoice's own period (prior-period lines are not).
REPRICED_KINDS = ("usage", "flat_fee", "over_delivery")


@dataclass
class EvidenceInputs:
    dispute: Dispute
    invoice: InvoiceView
    issued: dict[str, Any]
    contract: dict[str, Any] | None
    terms: TermsInEffect | None
    account: dict[str, Any] | None
    products: dict[str, dict[str, Any] | None]
    already_billed: dict[str, Decimal]


async def load_evidence_inputs(unit: DisputeUnit, dispute_id: str) -> EvidenceInputs:
    dispute = await unit.disputes.get(dispute_id)
    if dispute is None:
        raise NotKnown(f"dispute {dispute_id} does not exist")
    invoices, config = unit.invoices, unit.config
    invoice = await invoices.get(dispute.invoice_id)
    issued = await invoices.issued_document(dispute.invoice_id)
    assert invoice is not None and issued is not None  # a dispute is only ever opened on a known invoice
    codes = sorted({ln.product_code for ln in invoice.lines if ln.product_code and ln.kind in REPRICED_KINDS})
    line_items = sorted({ln.line_item_id for ln in invoice.lines if ln.line_item_id and ln.kind in REPRICED_KINDS})
    billed = (await invoices.already_billed(invoice.contract_id, line_items, invoice.period)
              if invoice.contract_id else {})
    wanted = [("account", invoice.bill_to_account_id), *(("product", code) for code in codes)]
    if invoice.contract_id:
        wanted.append(("contract", invoice.contract_id))
    held = await config.get_many(wanted)
    contract = held.get(("contract", invoice.contract_id)) if invoice.contract_id else None
    return EvidenceInputs(
        dispute=dispute, invoice=invoice, issued=issued, contract=contract,
        terms=terms_in_effect(contract, invoice.period_end) if contract else None,
        account=held.get(("account", invoice.bill_to_account_id)),
        products={code: held.get(("product", code)) for code in codes}, already_billed=billed)


async def _deliveries_by_line_item(client: InvoiceServiceClient, inputs: EvidenceInputs) \
        -> Mapping[str, list[dict[str, Any]] | InvoiceServiceUnavailable]:
    """The deliveries behind each repriced or disputed line item. One read of the ledger for the invoice's
    contract (its account when self-serve) over the period, all pages, grouped by line item: every such line item
    is the contract's (or the account's), and one call costs both services far less than one per line item."""
    inv = inputs.invoice
    line_items = sorted({ln.line_item_id for ln in inv.lines if ln.line_item_id and ln.kind in REPRICED_KINDS}
                        | {ln.line_item_id for ln in inputs.dispute.lines if ln.line_item_id})
    if not line_items:
        return {}
    try:
        found = await client.deliveries(contract_id=inv.contract_id,
                                        account_id=None if inv.contract_id else inv.account_id,
                                        date_from=inv.period_start, date_to=inv.period_end)
    except InvoiceServiceUnavailable as exc:
        return dict.fromkeys(line_items, exc)
    grouped: dict[str, list[dict[str, Any]]] = {li: [] for li in line_items}
    for item in found:
        if item.get("line_item_id") in grouped:
            grouped[item["line_item_id"]].append(item)
    return grouped


def _deliveries_view(found: list[dict[str, Any]] | InvoiceServiceUnavailable | None) -> dict[str, Any]:
    if found is None:
        return {"available": False, "reason": "the line names no line item, so no delivery records belong to it",
                "items": []}
    if isinstance(found, InvoiceServiceUnavailable):
        return {"available": False, "reason": str(found), "items": []}
    return {"available": True, "count": len(found), "items": found}


def _terms_view(inputs: EvidenceInputs) -> dict[str, Any]:
    inv = inputs.invoice
    if inv.contract_id is None:
        return {"available": False, "reason": "the invoice has no contract (self-serve, billed on account terms)"}
    if inputs.terms is None:
        return {"available": False, "contract_id": inv.contract_id,
                "reason": f"contract {inv.contract_id} is not in dispute-svc's config read model "
                          "(no billing.config.v1 event received for it)"}
    return {"available": True, "contract_id": inv.contract_id, "as_of": inv.period_end,
            "amendment_no": inputs.terms.amendment_no, "effective_from": inputs.terms.effective_from,
            "terms": inputs.terms.contract}


async def assemble_evidence(client: InvoiceServiceClient, inputs: EvidenceInputs) -> dict[str, Any]:
    deliveries = await _deliveries_by_line_item(client, inputs)
    reprice = await reprice_products(client, inputs, deliveries)
    issued_lines = {ln["invoice_line_id"]: ln for ln in inputs.issued.get("lines", [])}
    invoice_lines = {ln.invoice_line_id: ln for ln in inputs.invoice.lines}
    lines = []
    for disputed in inputs.dispute.lines:
        line = invoice_lines[disputed.invoice_line_id]
        lines.append({
            **issued_lines.get(disputed.invoice_line_id, {}), "invoiced_amount": line.amount,
            "credited": line.credited, "disputed_amount": disputed.amount,
            "deliveries": _deliveries_view(deliveries.get(line.line_item_id) if line.line_item_id else None),
            "reprice": reprice["by_line"].get(disputed.invoice_line_id),
        })
    inv = inputs.invoice
    return {
        "dispute_id": inputs.dispute.dispute_id, "status": inputs.dispute.status,
        "reason_code": inputs.dispute.reason_code, "description": inputs.dispute.description,
        "invoice": {"invoice_id": inv.invoice_id, "invoice_number": inv.invoice_number, "period": inv.period,
                    "period_start": inv.period_start, "period_end": inv.period_end, "issue_date": inv.issue_date,
                    "currency": inv.currency, "contract_id": inv.contract_id, "account_id": inv.account_id,
                    "bill_to_account_id": inv.bill_to_account_id, "status": inv.status,
                    "total": inputs.issued.get("total")},
        "disputed_lines": lines,
        "contract_terms": _terms_view(inputs),
        "bill_to_account": inputs.account,
        "reprice": reprice["summary"],
    }
