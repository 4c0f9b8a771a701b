"""C9: the unbilled snapshot of a period -- what is delivered (service date in or before the period) or earned (rule
6 flat-fee shares) but not yet invoiced, priced by the bill run's own reads and engine, writing nothing.

Three sources: the period's groups no issued invoice covers (a preview of what its issue run would bill, prior-period
lines included), rule-13 changes of issued periods up to this one not yet billed on a later invoice, and closed
periods' deliveries no invoice covers (C12). Deliveries held back from billing, and lines pricing cannot bill
(a missing rate, third-party counts missing, an unknown contract) are listed as `unpriced` with their quantities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from invoice_svc.app.bill_run_parties import BillingAccount, BillingContract
from invoice_svc.app.bill_run_pricing import (
    ChunkInputs,
    Correction,
    PricedGroup,
    RunScope,
    price_chunk,
    pricing_scope,
    read_chunk,
    read_corrections,
)
from invoice_svc.app.ports import BillingUnit, MonthEndFigures
from invoice_svc.app.stored import HeldDelivery, NewException
from invoice_svc.domain.billing.grouping import GroupKey, chunks
from invoice_svc.domain.close.unbilled import (
    UnbilledGroup,
    UnbilledReason,
    UnbilledRow,
    totals_by_currency,
    unbilled_rows,
)
from invoice_svc.domain.pricing import (
    Delivery,
    PriorPeriodCorrection,
    price_prior_period_adjustment,
    summarise_billed,
)
from invoice_svc.domain.pricing.draft import BLOCKING_KINDS
from mediabill_common.money import round_money

RUN_ID = "unbilled-snapshot"   # never a bill run's id: read_chunk treats no group as written by "this run"
CHUNK = 500


@dataclass
class Unbilled:
    period: str
    as_of: datetime
    rows: list[UnbilledRow] = field(default_factory=list)
    unpriced: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The wire form: amounts as decimal strings at the currency's minor unit."""
        def money(v: Decimal, currency: str) -> str:
            return format(round_money(v, currency), "f")
        rows = [{"bill_to_account_id": r.bill_to_account_id, "contract_id": r.contract_id,
                 "product_code": r.product_code, "gl_revenue_account": r.gl_revenue_account,
                 "currency": r.currency, "reason": r.reason, "gross": money(r.gross, r.currency),
                 "discount": money(r.discount, r.currency), "commission": money(r.commission, r.currency),
                 "net": money(r.net, r.currency), "exception_ids": r.exception_ids,
                 "exception_kinds": r.exception_kinds, "service_periods": r.service_periods} for r in self.rows]
        totals = [{"currency": t.currency, "gross": money(t.gross, t.currency),
                   "discount": money(t.discount, t.currency), "commission": money(t.commission, t.currency),
                   "net": money(t.net, t.currency)} for t in totals_by_currency(self.rows)]
        return {"period": self.period, "as_of": self.as_of.isoformat(), "lines": rows, "totals": totals,
                "unpriced": self.unpriced}


async def compute_unbilled(unit: BillingUnit, figures: MonthEndFigures, period: str, now: datetime) -> Unbilled:
    """The unbilled snapshot of `period` as of `now` (the caller's transaction reads one consistent state)."""
    out = Unbilled(period, now)
    scope = await pricing_scope(unit, RUN_ID, "preview", period, now)
    covered: set[tuple[str, str, str]] = set()
    seeds = await unit.snapshot.run_groups(period, scope.start, scope.end, now)
    for chunk in chunks(seeds, CHUNK):
        inputs = await read_chunk(unit, scope, chunk)
        for g in inputs.groups:
            key = g.seed.key
            covered |= {(key.bill_to_account_id, key.contract_key, p)
                        for p in (key.period, *(c.period for c in g.corrections))}
        priced = price_chunk(scope, inputs)
        for group in priced.groups:
            out.rows.extend(r for part in await _draft_groups(unit, group) for r in unbilled_rows(part))
        out.unpriced.extend(_blocked_lines(inputs, priced.groups))
        out.unpriced.extend(_unpriceable(e) for e in priced.unpriceable)
    for pending in await _pending_corrections(unit, scope, covered):
        out.rows.extend(unbilled_rows(pending))
    out.unpriced.extend(_held(h) for h in await figures.held_deliveries(scope.end))
    return out


async def _draft_groups(unit: BillingUnit, group: PricedGroup) -> list[UnbilledGroup]:
    """A draft of the period: its own lines (not yet run, or blocked by an exception) and its prior-period lines
    (pending restatements of invoiced periods, and what closed periods owe)."""
    key, draft = group.key, group.draft
    blocking = [p for p in group.problems if p.kind in BLOCKING_KINDS]
    ids = [i for p in blocking if (i := await unit.exceptions.open_id_for_key(p.dedupe_key)) is not None]
    reason: UnbilledReason = "blocked_by_exception" if not draft.issuable else "not_yet_run"
    kinds = tuple(sorted({e.kind for e in draft.exceptions if e.blocks_issue}))
    own = tuple(ln for ln in draft.lines if ln.kind != "prior_period_adjustment")
    out = [UnbilledGroup(key.bill_to_account_id, key.contract_id, draft.currency, reason, own, tuple(ids), kinds,
                         (key.period,))]
    parts: tuple[tuple[bool, UnbilledReason], ...] = ((False, "pending_restatement"), (True, "owed_by_closed_period"))
    for owed, why in parts:
        lines = tuple(ln for ln in draft.lines if ln.kind == "prior_period_adjustment"
                      and (ln.original_invoice_number is None) == owed)
        if lines:
            out.append(UnbilledGroup(key.bill_to_account_id, key.contract_id, draft.currency, why, lines,
                                     service_periods=tuple(sorted({ln.original_period or "" for ln in lines}))))
    return out


async def _pending_corrections(unit: BillingUnit, scope: RunScope, covered: set[tuple[str, str, str]]) \
        -> list[UnbilledGroup]:
    """Changes to periods up to this one that a later invoice has still to bill, outside the drafts priced above:
    rule 13 for issued periods (this one included) and closed periods no invoice covers (C12)."""
    following = _next_period(scope.period)
    after = await pricing_scope(unit, RUN_ID, "preview", following, scope.snap)
    seeds = await unit.snapshot.run_groups(following, after.start, after.end, scope.snap)
    out: list[UnbilledGroup] = []
    for chunk in chunks([s.key for s in seeds], CHUNK):
        found = await read_corrections(unit, after, chunk)
        todo = {k: [c for c in cs if (k.bill_to_account_id, k.contract_key, c.period) not in covered]
                for k, cs in found.items()}
        todo = {k: cs for k, cs in todo.items() if cs}
        if not todo:
            continue
        keys = sorted(todo)
        accounts, contracts = await unit.snapshot.party_states(
            sorted({k.bill_to_account_id for k in keys}), sorted({k.contract_key for k in keys if k.contract_key}))
        billed = await unit.snapshot.billed_before(keys)
        for key in keys:
            state = accounts.get(key.bill_to_account_id)
            if state is None:
                continue  # an unknown bill-to is listed by the draft side's unpriceable groups
            contract = BillingContract.from_stored(contracts[key.contract_key]) \
                if key.contract_key in contracts else None
            out.extend(_correction_group(after, key, BillingAccount.from_stored(state), contract,
                                         billed.get(key, {}), c) for c in todo[key])
    return [g for g in out if g.lines]


def _correction_group(scope: RunScope, key: GroupKey, bill_to: BillingAccount, contract: BillingContract | None,
                      billed_to_date: dict[str, Decimal], c: Correction) -> UnbilledGroup:
    terms = contract.terms_for(c.period) if contract is not None else None
    adjustment = price_prior_period_adjustment(PriorPeriodCorrection(
        billed=summarise_billed(c.invoice_number, c.period, c.baseline), bill_to=bill_to.pricing,
        products=scope.products, deliveries=tuple(c.deliveries), terms=terms, billed_to_date=billed_to_date,
        line_id_seed=f"{RUN_ID}/{key.label()}"))
    currency = terms.currency if terms is not None else bill_to.pricing.currency
    reason: UnbilledReason = "pending_restatement" if c.invoice_number else "owed_by_closed_period"
    kinds = tuple(sorted({e.kind for e in adjustment.exceptions if e.blocks_issue}))
    return UnbilledGroup(key.bill_to_account_id, key.contract_id, currency, reason, adjustment.lines,
                         exception_kinds=kinds, service_periods=(c.period,))


def _next_period(period: str) -> str:
    year, month = (int(p) for p in period.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def _quantities(deliveries: Sequence[Delivery]) -> dict[str, Any]:
    third = [d.third_party_impressions for d in deliveries if d.third_party_impressions is not None]
    costs = [d.media_cost for d in deliveries if d.media_cost is not None]
    return {"impressions": sum(d.impressions for d in deliveries),
            "viewable_impressions": sum(d.viewable_impressions for d in deliveries),
            "clicks": sum(d.clicks for d in deliveries), "conversions": sum(d.conversions for d in deliveries),
            "third_party_impressions": sum(third) if third else None,
            "media_cost": format(sum(costs, Decimal(0)), "f") if costs else None}


def _blocked_lines(inputs: ChunkInputs, priced: Sequence[PricedGroup]) -> list[dict[str, Any]]:
    """Contract lines a draft could not price (their blocking exception names the line item)."""
    by_key = {g.seed.key: g for g in inputs.groups}
    out = []
    for group in priced:
        source = by_key[group.key]
        for e in group.draft.exceptions:
            if not e.blocks_issue or e.line_item_id is None:
                continue
            mine = [d for d in source.deliveries if d.line_item_id == e.line_item_id]
            out.append({"status": "unpriced", "reason": e.kind, "bill_to_account_id": group.key.bill_to_account_id,
                        "account_id": group.advertiser_account_id, "contract_id": group.key.contract_id,
                        "line_item_id": e.line_item_id, "product_code": mine[0].product_code if mine else None,
                        "service_period": group.key.period, "currency": group.draft.currency,
                        "quantities": _quantities(mine)})
    return out


def _unpriceable(e: NewException) -> dict[str, Any]:
    """A group pricing could not take up at all (its bill-to or contract unknown, or out of range)."""
    return {"status": "unpriced", "reason": e.kind, "bill_to_account_id": e.refs.get("bill_to_account_id"),
            "account_id": e.account_id, "contract_id": e.refs.get("contract_id"), "line_item_id": None,
            "product_code": None, "service_period": e.refs.get("period"), "currency": e.currency,
            "quantities": None}


def _held(h: HeldDelivery) -> dict[str, Any]:
    """Deliveries held back at ingestion (an unknown product, contract or account, a product not live, ...)."""
    return {"status": "unpriced", "reason": ",".join(h.exception_kinds) or "held", "bill_to_account_id": None,
            "account_id": h.account_id, "contract_id": h.contract_id, "line_item_id": h.line_item_id,
            "product_code": h.product_code, "service_period": h.period, "currency": h.currency,
            "deliveries": h.deliveries,
            "quantities": {"impressions": h.impressions, "viewable_impressions": h.viewable_impressions,
                           "clicks": h.clicks, "conversions": h.conversions,
                           "third_party_impressions": h.third_party_impressions,
                           "media_cost": None if h.media_cost is None else format(h.media_cost, "f")}}

