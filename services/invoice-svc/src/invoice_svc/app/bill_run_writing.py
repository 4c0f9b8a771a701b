"""A bill run's write side: one chunk of priced groups written in one transaction.

`preview` replaces the groups' drafts. `issue` skips groups issued meanwhile (by a concurrent run or an earlier
attempt), numbers the issuable ones as one gapless block from the counter row (locked FOR UPDATE), sets due
dates (rule 16), queues InvoiceIssued through the outbox, keeps blocked groups (e.g. a negative total, rule 14)
as drafts, raises the pricing exceptions and marks adjusted periods reconciled (rule 13).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.balances import replay_for_issued
from invoice_svc.app.bill_run_pricing import PricedGroup, RunScope
from invoice_svc.app.exceptions import raise_exceptions
from invoice_svc.app.period_lock import refuse_issue_if_closed
from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import NewException
from invoice_svc.domain.billing.balance import opening_balance
from invoice_svc.domain.billing.numbering import number_block
from invoice_svc.domain.pricing import DraftInvoice, DraftLine, due_after
from mediabill_common.events.envelope import Envelope


@dataclass
class ChunkOutcome:
    """What a chunk wrote, for the run's progress."""

    invoices: int = 0
    lines: int = 0
    blocked: int = 0
    already_issued: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    exception_ids: list[str] = field(default_factory=list)
    issued_ids: list[str] = field(default_factory=list)


async def write_chunk(unit: BillingUnit, scope: RunScope, priced: Sequence[PricedGroup],
                      unpriceable: Sequence[NewException], *, issue_date: date | None = None) -> ChunkOutcome:
    """Write one chunk (the caller owns the transaction)."""
    if scope.source_system is not None:
        return await _write_shadow(unit, scope, priced)
    out = ChunkOutcome()
    await unit.invoices.lock_period(scope.period)
    # Under the period's lock, which a PeriodClosed also takes: a run queued before the close issues nothing after.
    await refuse_issue_if_closed(unit.periods, scope.period, scope.mode)
    current = await unit.invoices.current_of_groups([p.key for p in priced])
    issued_now = {k for k, held in current.items() if any(i.status == "issued" for i in held)}
    todo = [p for p in priced if p.key not in issued_now]
    out.already_issued = len(priced) - len(todo)
    todo_keys = {p.key for p in todo}
    await unit.invoices.delete_drafts([i.invoice_id for k, held in current.items() if k in todo_keys
                                       for i in held if i.status == "draft"])
    issuing = [p for p in todo if scope.mode == "issue" and p.draft.issuable]
    drafts = [p for p in todo if not (scope.mode == "issue" and p.draft.issuable)]
    out.blocked = len(drafts) if scope.mode == "issue" else 0
    day = issue_date or datetime.now(UTC).date()
    numbers = number_block(day.year, await unit.invoices.take_numbers(day.year, len(issuing)), len(issuing)) \
        if issuing else []
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[tuple[str, Envelope]] = []
    for group, number, event_id in zip(issuing, numbers, _event_ids(len(issuing)), strict=True):
        rows.append(_invoice_row(scope, group, "issued", number, day))
        events.append(_issued_event(unit, rows[-1], group, event_id))
    rows.extend(_invoice_row(scope, g, "draft", None, None) for g in drafts)
    for group in todo:
        lines.extend(_line_row(group.invoice_id, i, ln) for i, ln in enumerate(group.draft.lines, start=1))
    await unit.invoices.insert_invoices(rows, lines)
    await unit.publish_all(events)
    problems = [e for g in todo for e in g.problems]
    out.exception_ids = await raise_exceptions(unit, [*problems, *unpriceable], bulk=True)
    if issuing:
        await unit.invoices.mark_reconciled([i for g in issuing for i in g.adjusted_invoice_ids], scope.snap)
        await replay_for_issued(unit, [g.invoice_id for g in issuing])
    out.invoices, out.lines = len(rows), len(lines)
    out.issued_ids = [g.invoice_id for g in issuing]
    for group in (issuing if scope.mode == "issue" else todo):
        out.totals[group.draft.currency] = out.totals.get(group.draft.currency, Decimal(0)) + group.draft.total.amount
    return out


async def _write_shadow(unit: BillingUnit, scope: RunScope, priced: Sequence[PricedGroup]) -> ChunkOutcome:
    """A shadow preview (oversight.md O1) keeps its drafts under its run id only: no invoice rows (so never listed,
    issued or counted), no exceptions raised (its findings are the billing source's business), no drafts replaced."""
    out = ChunkOutcome()
    await unit.bill_runs.save_shadow_drafts(scope.run_id, [
        {"bill_to_account_id": g.key.bill_to_account_id, "contract_key": g.key.contract_key, "period": scope.period,
         "currency": g.draft.currency, "total": format(g.draft.total.amount, "f"),
         "lines": [ln.as_invoice_line() for ln in g.draft.lines]} for g in priced])
    out.invoices, out.lines = len(priced), sum(len(g.draft.lines) for g in priced)
    for group in priced:
        out.totals[group.draft.currency] = out.totals.get(group.draft.currency, Decimal(0)) + group.draft.total.amount
    return out


def _invoice_row(scope: RunScope, g: PricedGroup, status: str, number: str | None, day: date | None) \
        -> dict[str, Any]:
    start, end = scope.start, scope.end
    d = g.draft
    balance_due, balance_status = opening_balance(d.total) if status == "issued" else (Decimal(0), None)
    terms_days = (g.terms.payment_terms_days if g.terms is not None and g.terms.payment_terms_days is not None
                  else g.bill_to.payment_terms_days)
    return {
        "invoice_id": g.invoice_id, "invoice_number": number, "status": status,
        "bill_to_account_id": g.key.bill_to_account_id, "account_id": g.advertiser_account_id,
        "contract_key": g.key.contract_key, "contract_id": g.key.contract_id, "period": scope.period,
        "period_start": start, "period_end": end, "currency": d.currency,
        "po_number": g.terms.po_number if g.terms is not None else None, "issue_date": day,
        "due_date": due_after(day, terms_days) if day else None,
        "payment_terms_days": terms_days, "subtotal": d.subtotal.amount, "discount_total": d.discount_total.amount,
        "commission_total": d.commission_total.amount, "tax_total": d.tax_total.amount, "total": d.total.amount,
        "adjustment_only": g.adjustment_only, "bill_run_id": scope.run_id, "snapshot_at": scope.snap,
        "reconciled_through": scope.snap, "document": _document(g, scope.seller),
        "exceptions": [e.as_dict() for e in d.exceptions], "pricing_inputs": g.pricing_inputs,
        "balance_due": balance_due, "balance_status": balance_status,
    }


def _document(g: PricedGroup, seller: Mapping[str, str]) -> dict[str, Any]:
    """The names and addresses an agency needs on the invoice (IAB/4A's), kept with the invoice as they were at
    issue: the document is rendered from them later (app/documents.py)."""
    campaigns = sorted({name for ln in g.draft.lines if (name := ln.campaign_name or ln.campaign_id)})
    contract = g.contract
    advertiser_name = (contract.advertiser_name if contract is not None and contract.advertiser_name else None) \
        or (g.advertiser.legal_name if g.advertiser is not None else g.advertiser_account_id)
    return {"bill_to_name": g.bill_to.legal_name, "bill_to_contact": g.bill_to.invoice_contact,
            "bill_to_type": g.bill_to.type, "bill_to_address": g.bill_to.postal_address,
            "bill_to_tax_registration_id": g.bill_to.tax_registration_id, "advertiser_name": advertiser_name,
            "contract_name": contract.name if contract is not None else None, "campaigns": campaigns,
            "seller": dict(seller) or None}


def _line_row(invoice_id: str, line_no: int, ln: DraftLine) -> dict[str, Any]:
    return {"invoice_id": invoice_id, "line_no": line_no, "invoice_line_id": ln.invoice_line_id, "kind": ln.kind,
            "component": ln.component, "description": ln.description, "product_code": ln.product_code,
            "gl_revenue_account": ln.gl_revenue_account, "campaign_id": ln.campaign_id,
            "campaign_name": ln.campaign_name, "line_item_id": ln.line_item_id, "quantity": ln.quantity,
            "unit": ln.unit, "unit_price": ln.unit_price, "price_base_quantity": ln.price_base_quantity,
            "amount": ln.amount, "value": ln.value, "original_invoice_number": ln.original_invoice_number,
            "tax_code": ln.tax_code, "adjusts_kind": ln.adjusts_kind, "original_period": ln.original_period}


def issued_event_data(row: dict[str, Any], draft: DraftInvoice) -> dict[str, Any]:
    """`InvoiceIssued.data` in its wire form (decimal strings, ISO dates), built directly: a bill run issues
    100,000s of invoices and model validation of each would double its cost. A unit test validates this
    builder's output against the catalog model."""
    data = {k: row[k] for k in ("invoice_id", "invoice_number", "account_id", "bill_to_account_id", "contract_id",
                                "po_number", "period", "currency")}
    data |= {k: row[k].isoformat() for k in ("period_start", "period_end", "issue_date", "due_date")}
    data |= {"lines": [ln.as_invoice_line() for ln in draft.lines], **draft.totals_wire()}
    return data


def _issued_event(unit: BillingUnit, row: dict[str, Any], g: PricedGroup, event_id: str) -> tuple[str, Envelope]:
    envelope = unit.wire_envelope("InvoiceIssued", subject=row["invoice_id"], data=issued_event_data(row, g.draft),
                                  event_id=event_id)
    return row["bill_to_account_id"], envelope


def _event_ids(count: int) -> list[str]:
    """Fresh event ids exactly as `uuid.uuid4()` makes them, from one read of the system's random source per chunk:
    each `uuid4()` releases the interpreter lock for its read, and while a chunk is priced in a thread of the worker
    the event loop then waited for the lock again, once per invoice, on the chunk writes' critical path."""
    raw = os.urandom(16 * count)
    return [str(uuid.UUID(bytes=raw[i:i + 16], version=4)) for i in range(0, 16 * count, 16)]
