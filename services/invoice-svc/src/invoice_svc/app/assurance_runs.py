"""Assurance runs (oversight.md O3): requested through the API or by the worker's daily schedule, executed by the
worker (entrypoints/assurance_executor.py), which re-prices each chunk of issued invoices
(app/assurance_pricing.py) and records what it found here: one `invoice_drift` billing exception per drifted
invoice, updated in place by later runs, and resolved by the system when a later run finds the drift gone."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from invoice_svc.app.assurance_pricing import InvoiceCheck
from invoice_svc.app.assurance_stored import AssuranceRun
from invoice_svc.app.exceptions import SYSTEM, SYSTEM_RESOLVED, new_exception, publish_resolved, raise_exceptions
from invoice_svc.app.ports import BillingUnit
from invoice_svc.domain.assurance.drift import InvoiceDrift
from invoice_svc.domain.assurance.runs import check_assurance_periods
from mediabill_common.money import round_money

DRIFT_KIND = "invoice_drift"
DRIFT_GONE = "a later assurance run re-priced the invoice to what was issued for it: no drift"
DRIFT_VOIDED = "the invoice was voided: its deliveries bill again in the period's next issue run, priced afresh"


async def request_assurance_run(unit: BillingUnit, *, periods: Sequence[str], actor: str,
                                today: date) -> AssuranceRun:
    """Queue a run over these periods' issued invoices (the caller owns the transaction); a worker executes it.
    InvalidRequest for no period, too many, or one that has not begun."""
    chosen = check_assurance_periods(periods, today=today)
    run = await unit.assurance.add(str(uuid.uuid4()), chosen, actor)
    await unit.record_audit(actor=actor, action="request", entity_type="assurance_run", entity_id=run.run_id,
                            after={"periods": chosen})
    return run


def drift_key(invoice_id: str) -> str:
    """One invoice_drift exception per invoice: its dedupe key."""
    return f"{DRIFT_KIND}:invoice_id={invoice_id}"


@dataclass
class FindingsOutcome:
    """What recording a chunk's checks did, for the run's progress."""

    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    exception_ids: list[str] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def add_value(self, currency: str, name: str, amount: Decimal) -> None:
        per = self.totals.setdefault(currency, {})
        per[name] = per.get(name, Decimal(0)) + amount


async def record_findings(unit: BillingUnit, checks: Sequence[InvoiceCheck]) -> FindingsOutcome:
    """Raise or refresh the invoice_drift exception of each drifted invoice, resolve those of invoices that no
    longer drift, and count what was found (the caller owns the transaction)."""
    out = FindingsOutcome()
    raised = []
    # the invoices' open invoice_drift exceptions, in one read: most invoices have none
    open_drift = await unit.exceptions.open_ids_for_keys([drift_key(c.invoice.invoice_id) for c in checks])
    for check in checks:
        out.add("checked")
        currency = check.invoice.currency
        if check.drift is None:
            out.add("unverifiable")
            continue
        if not check.recorded_inputs:
            out.add("without_recorded_inputs")
        if check.drift.pending_adjustment:
            out.add("pending_adjustments")
            out.add_value(currency, "pending_adjustment", check.drift.pending_adjustment)
        if not check.drift.drifted:
            out.add("matched")
            gone = open_drift.get(drift_key(check.invoice.invoice_id))
            if gone is not None:
                await _resolve_gone(unit, gone)
                out.add("exceptions_resolved")
            continue
        out.add("drifted")
        for name, amount in (("drifted", check.drift.value), ("credit", check.drift.credit_total),
                             ("debit", check.drift.debit_total)):
            out.add_value(currency, name, amount)
        refs = drift_refs(check)
        if await unit.exceptions.resolved_with_ref(drift_key(check.invoice.invoice_id), "drift_digest",
                                                   refs["drift_digest"]):
            out.add("already_handled")  # an analyst resolved this very drift: not raised again
            continue
        raised.append(new_exception(DRIFT_KIND, check.invoice.bill_to_account_id, refs,
                                    round_money(check.drift.value, currency), currency,
                                    dedupe_key=drift_key(check.invoice.invoice_id)))
    opened = await raise_exceptions(unit, raised)
    out.add("exceptions_raised", len(opened))
    out.add("exceptions_updated", len(raised) - len(opened))
    for item in raised:
        exception_id = item.exception_id if item.exception_id in opened else \
            await unit.exceptions.open_id_for_key(item.dedupe_key)
        if exception_id is not None:
            out.exception_ids.append(exception_id)
    return out


async def resolve_drift_of_voided(unit: BillingUnit, invoice_id: str) -> None:
    """A voided invoice's open invoice_drift is moot (runs check issued invoices only, so none would resolve it):
    the system resolves it in the void's transaction."""
    exception_id = await unit.exceptions.open_id_for_key(drift_key(invoice_id))
    if exception_id is not None:
        await _resolve_gone(unit, exception_id, DRIFT_VOIDED)


async def _resolve_gone(unit: BillingUnit, exception_id: str, resolution: str = DRIFT_GONE) -> None:
    resolved = await unit.exceptions.mark_resolved(exception_id, SYSTEM, resolution, SYSTEM_RESOLVED)
    await publish_resolved(unit, resolved, resolution=resolution, resolved_by=SYSTEM, root_cause=SYSTEM_RESOLVED)


def corrections_wire(drift: InvoiceDrift, currency: str) -> list[dict[str, Any]]:
    """The correction per line, its credit and debit parts apart (what an adjustment request names)."""
    return [{"component": ln.component, "invoice_line_id": ln.invoice_line_id, "line_item_id": ln.line_item_id,
             "issued": _money(ln.issued, currency), "repriced": _money(ln.repriced, currency),
             "issued_quantity": ln.issued_quantity, "repriced_quantity": ln.repriced_quantity,
             "credit": _money(ln.credit, currency), "debit": _money(ln.debit, currency), "causes": list(ln.causes)}
            for ln in drift.lines]


def drift_refs(check: InvoiceCheck) -> dict[str, Any]:
    """The exception's refs: the invoice, what changed, the correction per line (JSON), the credit and debit
    totals, what is pending, and the memos issued against the invoice (shown beside, never netted)."""
    assert check.drift is not None
    inv, drift, currency = check.invoice, check.drift, check.invoice.currency
    corrections = json.dumps(corrections_wire(drift, currency), separators=(",", ":"))
    return {
        "invoice_id": inv.invoice_id, "invoice_number": inv.invoice_number, "period": inv.period,
        "contract_id": inv.contract_key or None, "bill_to_account_id": inv.bill_to_account_id,
        "changed_inputs": ",".join(drift.causes),
        "changed_rate_cards": ",".join(check.changed.get("rate_card", ())) or None,
        "inputs_recorded_at_issue": "true" if check.recorded_inputs else "false",
        "credit_total": _money(drift.credit_total, currency), "debit_total": _money(drift.debit_total, currency),
        "pending_adjustment": _money(drift.pending_adjustment, currency),
        "memos_credited": _money(inv.credited, currency), "memos_debited": _money(inv.debited, currency),
        "corrections": corrections,
        "drift_digest": hashlib.sha256(corrections.encode()).hexdigest()[:16],
    }


def _money(amount: Decimal, currency: str) -> str:
    return format(round_money(amount, currency), "f")
