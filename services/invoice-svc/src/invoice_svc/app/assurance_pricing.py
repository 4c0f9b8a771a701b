"""An assurance run's read and pricing side: a chunk of issued invoices read set-based (their lines and the
adjustments billed against them, the ledger revisions they consumed, today's revisions, the parties) and each
re-priced by the pure engine (domain/assurance/drift.py says what drift is)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pydantic import ValidationError

from invoice_svc.app.assurance_stored import CheckedInvoice
from invoice_svc.app.bill_run_parties import BillingAccount
from invoice_svc.app.bill_run_pricing import RunScope, pricing_scope
from invoice_svc.app.ports import BillingUnit
from invoice_svc.domain.assurance.drift import (
    InvoiceDrift,
    invoice_drift,
    line_ids_by_component,
    pending_adjustment,
)
from invoice_svc.domain.assurance.inputs import PricingInputs
from invoice_svc.domain.assurance.runs import terms_as_issued
from invoice_svc.domain.pricing import (
    BillTo,
    ContractTerms,
    Delivery,
    DraftInvoice,
    DraftLine,
    InvoiceGroup,
    price_invoice_group,
    summarise_billed,
)


async def period_scope(unit: BillingUnit, period: str, now: datetime) -> RunScope:
    """The products (and the days kept apart for a mid-period rate-card version) a period is re-priced with."""
    return await pricing_scope(unit, "assurance", "preview", period, now)


@dataclass(frozen=True)
class InvoiceInputs:
    """Everything re-pricing one issued invoice needs, read from the database."""

    invoice: CheckedInvoice
    bill_to: BillTo | None
    terms: ContractTerms | None
    contract_known: bool
    recorded: PricingInputs | None
    billed_before: Mapping[str, Decimal]
    own_lines: Sequence[DraftLine]
    later_lines: Sequence[DraftLine]
    consumed: Sequence[Delivery]
    current: Sequence[Delivery]


async def read_invoices(unit: BillingUnit, scope: RunScope, invoices: Sequence[CheckedInvoice], now: datetime) \
        -> list[InvoiceInputs]:
    """Read a chunk of one period's issued invoices for re-pricing (no lock; nothing is written)."""
    own, later = await unit.assurance.lines_of(invoices)
    await unit.snapshot.tune_for_aggregation()
    consumed = await unit.assurance.consumed_deliveries(invoices, start=scope.start, end=scope.end,
                                                        split_products=scope.split_products)
    # today's revisions, read the same way (from the revision history), for what is pending: only where a record
    # changed since the invoice was reconciled
    changed = await unit.assurance.changed_since_reconciled(invoices, start=scope.start, end=scope.end)
    current = await unit.assurance.consumed_deliveries([i for i in invoices if i.invoice_id in changed],
                                                       start=scope.start, end=scope.end,
                                                       split_products=scope.split_products, at=now)
    accounts, contracts = await unit.snapshot.party_states(
        sorted({i.bill_to_account_id for i in invoices}), sorted({i.contract_key for i in invoices if i.contract_key}))
    out: list[InvoiceInputs] = []
    for inv in invoices:
        recorded = PricingInputs.from_wire(inv.pricing_inputs) if inv.pricing_inputs else None
        billed = recorded.billed_before if recorded is not None else await unit.assurance.billed_before_created(inv)
        account = accounts.get(inv.bill_to_account_id)
        contract = contracts.get(inv.contract_key) if inv.contract_key else None
        terms = None
        if contract is not None:
            try:
                terms = terms_as_issued(contract, inv.period,
                                        recorded.amendment_no if recorded is not None else None)
            except ValidationError:
                contract = None
        out.append(InvoiceInputs(
            inv, BillingAccount.from_stored(account).pricing if account is not None else None, terms,
            not inv.contract_key or contract is not None, recorded, billed, own[inv.invoice_id],
            later[inv.invoice_id], _ordered(consumed[inv.invoice_id]),
            _ordered(current.get(inv.invoice_id, consumed[inv.invoice_id]))))
    return out


def _ordered(deliveries: Sequence[Delivery]) -> tuple[Delivery, ...]:
    """In a stable order (the database groups in any), so that two readings of the same revisions compare equal."""
    return tuple(sorted(deliveries, key=lambda d: (d.line_item_id, d.product_code, d.delivery_date, d.campaign_id,
                                                   d.delivery_id, d.currency or "")))


@dataclass(frozen=True)
class InvoiceCheck:
    """One invoice checked: its drift, or why it could not be re-priced."""

    invoice: CheckedInvoice
    drift: InvoiceDrift | None
    unverifiable: str | None = None
    recorded_inputs: bool = True
    changed: Mapping[str, Sequence[str]] = field(default_factory=dict)


def check_invoice(scope: RunScope, g: InvoiceInputs) -> InvoiceCheck:
    """Re-price one issued invoice (pure: safe in a worker thread)."""
    inv = g.invoice
    if g.bill_to is None or not g.contract_known:
        return InvoiceCheck(inv, None, "its bill-to account or contract is no longer configured")
    carried = tuple(ln for ln in g.own_lines
                    if ln.kind == "prior_period_adjustment" and ln.original_invoice_number != inv.invoice_number)
    try:
        repriced = _price(scope, g, g.consumed, carried)
        today = repriced if g.current == g.consumed else _price(scope, g, g.current, carried)
    except ArithmeticError as exc:
        return InvoiceCheck(inv, None, f"re-pricing failed: {exc}")
    codes = {ln.product_code for ln in repriced.lines if ln.product_code}
    now = PricingInputs.of(terms=g.terms, products=scope.product_digests, bill_to=g.bill_to,
                           product_codes=codes | set(g.recorded.products if g.recorded else ()),
                           billed_before=g.billed_before)
    changed = g.recorded.changed(now) if g.recorded is not None else {}
    products = {d.line_item_id: d.product_code for d in g.consumed}
    if g.terms is not None:
        products |= {ln.line_item_id: ln.product_code for ln in g.terms.lines}
    at_issue = summarise_billed(inv.invoice_number, inv.period, repriced.lines)
    drift = invoice_drift(
        summarise_billed(inv.invoice_number, inv.period, (*g.own_lines, *g.later_lines)), at_issue,
        line_ids=line_ids_by_component(g.own_lines), changed=changed, product_of_line=products,
        pending_adjustment=pending_adjustment(
            at_issue, summarise_billed(inv.invoice_number, inv.period, today.lines)))
    return InvoiceCheck(inv, drift, None, g.recorded is not None, changed)


def _price(scope: RunScope, g: InvoiceInputs, deliveries: Sequence[Delivery],
           carried: tuple[DraftLine, ...]) -> DraftInvoice:
    assert g.bill_to is not None
    return price_invoice_group(InvoiceGroup(
        period=g.invoice.period, bill_to=g.bill_to, products=scope.products, deliveries=tuple(deliveries),
        terms=g.terms, billed_before=g.billed_before, prior_period_lines=carried,
        line_id_seed=g.invoice.invoice_id))
