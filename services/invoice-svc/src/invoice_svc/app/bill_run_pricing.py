"""A bill run's read side: one chunk of groups read set-based from the ledger and priced by the pure engine."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import ValidationError

from invoice_svc.app.bill_run_parties import BillingAccount, BillingContract
from invoice_svc.app.exceptions import default_dedupe_key, new_exception
from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import BillRun, GroupSeed, NewException
from invoice_svc.domain.assurance.inputs import PricingInputs, product_digests
from invoice_svc.domain.billing.grouping import GroupKey, delivery_scope
from invoice_svc.domain.pricing import (
    BillTo,
    DraftInvoice,
    DraftLine,
    InvoiceGroup,
    PricingException,
    PriorPeriodCorrection,
    Product,
    check_storable,
    out_of_range_reason,
    period_bounds,
    price_invoice_group,
    price_prior_period_adjustment,
    product_from_state,
    summarise_billed,
)


@dataclass(frozen=True)
class RunScope:
    """What every chunk of one run shares: the period, the snapshot and the products (priced views)."""

    run_id: str
    mode: str
    period: str
    start: date
    end: date
    snap: datetime
    products: Mapping[str, Product]
    split_products: tuple[str, ...]
    # The seller's details as configured when the run started, kept on every invoice it issues (the document
    # shows them as they were at issue).
    seller: Mapping[str, str] = field(default_factory=dict)
    # A shadow preview (oversight.md O1): the delivery source priced as if it billed the products it reports.
    source_system: str | None = None
    # Each product's pricing configuration as a digest, recorded on the invoices (domain/assurance/inputs.py).
    product_digests: Mapping[str, str] = field(default_factory=dict)


class InvoiceTerms(NamedTuple):
    """What an invoice takes from the contract terms in effect for its period (None: the account's terms)."""

    po_number: str | None
    payment_terms_days: int | None


@dataclass
class PricedGroup:
    """One group priced: the draft, what it was priced with, and what it reports."""

    key: GroupKey
    invoice_id: str
    advertiser_account_id: str
    draft: DraftInvoice
    bill_to: BillingAccount
    contract: BillingContract | None
    terms: InvoiceTerms | None
    advertiser: BillingAccount | None
    adjusted_invoice_ids: list[str] = field(default_factory=list)
    problems: list[NewException] = field(default_factory=list)
    # What it was priced with (PricingInputs.as_wire), kept on the invoice for assurance runs.
    pricing_inputs: dict[str, Any] | None = None

    @property
    def adjustment_only(self) -> bool:
        return all(ln.kind == "prior_period_adjustment" or ln.amount == 0 for ln in self.draft.lines)


async def run_scope(unit: BillingUnit, run: BillRun, snap: datetime) -> RunScope:
    scope = await pricing_scope(unit, run.run_id, run.mode, run.period, snap)
    return replace(scope, source_system=run.source_system)


async def pricing_scope(unit: BillingUnit, run_id: str, mode: str, period: str, snap: datetime) -> RunScope:
    """What pricing a period as of `snap` shares (a bill run's, or the unbilled snapshot's, which writes nothing)."""
    start, end = period_bounds(period)
    config = await unit.config.load(await unit.snapshot.product_codes(), (), ())
    products = {code: product_from_state(state) for code, state in config.products.items()}
    # A rate-card version starting inside the period changes the rate mid-month: keep that product's days apart.
    split = tuple(sorted(code for code, p in products.items()
                         if any(start < rc.effective_from <= end for rc in p.rate_cards)))
    return RunScope(run_id, mode, period, start, end, snap, products, split,
                    product_digests=product_digests(products))


@dataclass
class ChunkInputs:
    """Everything a chunk's pricing needs, read from the database (pricing itself does no I/O)."""

    groups: list[PricedGroupInputs]
    unpriceable: list[NewException]
    skipped_mine: int = 0       # written by an earlier attempt of this run
    skipped_issued: int = 0     # issued already (by another run)


async def read_chunk(unit: BillingUnit, scope: RunScope, seeds: Sequence[GroupSeed]) -> ChunkInputs:
    """Read the chunk set-based: the ledger aggregated per contract line first (the heaviest query, so the
    database starts on it at once), then what is billed already, configuration and rule-13 corrections."""
    contract_ids = [s.key.contract_key for s in seeds if s.key.contract_key]
    await unit.snapshot.tune_for_aggregation()
    deliveries = await unit.snapshot.aggregated_deliveries(
        contract_ids=contract_ids, self_serve=[s.key.bill_to_account_id for s in seeds
                                                        if not s.key.contract_key],
        start=scope.start, end=scope.end, snap=scope.snap, split_products=scope.split_products,
        as_if_source=scope.source_system)
    # A shadow preview prices every group, issued or not, and rewrites its own drafts on a retry.
    current = {} if scope.source_system else await unit.invoices.current_of_groups([s.key for s in seeds])
    mine = {k for k, held in current.items() if any(i.bill_run_id == scope.run_id for i in held)}
    issued = {k for k, held in current.items() if any(i.status == "issued" for i in held)} - mine
    todo = [s for s in seeds if s.key not in mine and s.key not in issued]
    keys = [s.key for s in todo]
    accounts = {s.key.bill_to_account_id for s in todo} | {s.advertiser_account_id for s in todo}
    account_states, contract_states = await unit.snapshot.party_states(
        sorted(accounts), sorted({k.contract_key for k in keys if k.contract_key}))
    parties = {account_id: BillingAccount.from_stored(state) for account_id, state in account_states.items()}
    billed = await unit.snapshot.billed_before(keys)
    corrections = await read_corrections(unit, scope, keys)
    out = ChunkInputs([], [], len(mine), len(issued))
    for seed in todo:
        bill_to = parties.get(seed.key.bill_to_account_id)
        state = contract_states.get(seed.key.contract_key) if seed.key.contract_key else None
        if bill_to is None or (seed.key.contract_key and state is None):
            out.unpriceable.append(_unknown(seed, bill_to is None))
            continue
        out.groups.append(PricedGroupInputs(
            seed, bill_to, BillingContract.from_stored(state) if state is not None else None,
            parties.get(seed.advertiser_account_id),
            deliveries.get(delivery_scope(seed.key.contract_key, seed.key.bill_to_account_id), []),
            billed.get(seed.key, {}), corrections.get(seed.key, [])))
    return out


@dataclass
class PricedChunk:
    """A chunk priced: the groups with something to bill, the groups that could not be billed (their
    exceptions: unknown parties, or pricing out of range) and how many had nothing to bill."""

    groups: list[PricedGroup]
    unpriceable: list[NewException]
    empty: int = 0


def price_chunk(scope: RunScope, inputs: ChunkInputs) -> PricedChunk:
    """Price every group of the chunk with the pure engine (no I/O: safe to run in a worker thread). A group
    that cannot be priced becomes its `pricing_out_of_range` exception, and the other groups are priced on."""
    return assemble_chunk(inputs, price_groups(scope, [g.to_price() for g in inputs.groups]))


@dataclass(frozen=True, slots=True)
class Pricing:
    """What pricing adds to a group's inputs (a `PricedGroup` without what the inputs already hold)."""

    invoice_id: str
    draft: DraftInvoice
    terms: InvoiceTerms | None
    adjusted_invoice_ids: list[str]
    problems: list[NewException]
    pricing_inputs: dict[str, Any] | None


def price_groups(scope: RunScope, groups: Sequence[GroupToPrice]) -> list[Pricing | NewException]:
    """Each group priced, or the `pricing_out_of_range` exception of one that could not be (pure: a thread or a
    pricing process of app/pricing_pool.py runs it)."""
    out: list[Pricing | NewException] = []
    for group in groups:
        try:
            out.append(price_group(scope, group))
        except (ArithmeticError, ValidationError) as exc:
            out.append(_out_of_range(group.key, exc))
    return out


def assemble_chunk(inputs: ChunkInputs, results: Sequence[Pricing | NewException]) -> PricedChunk:
    """The chunk priced from each group's result (`price_groups`, in the groups' order)."""
    out = PricedChunk([], list(inputs.unpriceable))
    for g, result in zip(inputs.groups, results, strict=True):
        if isinstance(result, NewException):
            out.unpriceable.append(result)
        elif result.draft.lines:
            out.groups.append(PricedGroup(
                g.seed.key, result.invoice_id, g.seed.advertiser_account_id, result.draft, g.bill_to, g.contract,
                result.terms, g.advertiser, result.adjusted_invoice_ids, result.problems, result.pricing_inputs))
        else:
            out.empty += 1
    return out


@dataclass(frozen=True)
class Correction:
    """An issued earlier period of the group whose deliveries changed since it was billed (rule 13), or a closed
    period no issued invoice covers (C12: `invoice_id` and `invoice_number` empty)."""

    invoice_id: str
    invoice_number: str
    period: str
    baseline: list[DraftLine]
    deliveries: list


@dataclass(frozen=True)
class PricedGroupInputs:
    seed: GroupSeed
    bill_to: BillingAccount
    contract: BillingContract | None
    advertiser: BillingAccount | None
    deliveries: list
    billed_before: dict[str, Decimal]
    corrections: list[Correction]

    def to_price(self) -> GroupToPrice:
        return GroupToPrice(self.seed.key, self.bill_to.pricing, self.contract.state if self.contract else None,
                            self.deliveries, self.billed_before, self.corrections)


class GroupToPrice(NamedTuple):
    """What pricing reads of a group's inputs, and no more."""

    key: GroupKey
    bill_to: BillTo
    contract_state: Mapping[str, Any] | None
    deliveries: list
    billed_before: dict[str, Decimal]
    corrections: list[Correction]


async def read_corrections(unit: BillingUnit, scope: RunScope, keys: Sequence[GroupKey]) \
        -> dict[GroupKey, list[Correction]]:
    """Rule 13's changed issued periods and what closed periods still owe (C12), each re-priced from its
    deliveries against what was billed for it."""
    changed = await unit.snapshot.changed_issued_periods(keys, scope.snap)
    pairs = {(k.bill_to_account_id, k.contract_key) for k in keys}
    owed = [o for o in await unit.snapshot.owed_by_closed_periods(scope.period, scope.snap)
            if (o.bill_to_account_id, o.contract_key) in pairs]
    if not changed and not owed:
        return {}
    baselines = await unit.snapshot.lines_billed_for([r.invoice_number for r in changed])
    owed_billed = await unit.snapshot.owed_lines_billed(sorted({o.period for o in owed}),
                                                        sorted({o.contract_key for o in owed}))
    todo = [(r.bill_to_account_id, r.contract_key, r.period, r.invoice_id, r.invoice_number,
             baselines[r.invoice_number]) for r in changed]
    todo += [(o.bill_to_account_id, o.contract_key, o.period, "", "",
              owed_billed.get((o.bill_to_account_id, o.contract_key, o.period), [])) for o in owed]
    out: dict[GroupKey, list[Correction]] = {}
    for period in sorted({t[2] for t in todo}):
        rows = [t for t in todo if t[2] == period]
        start, end = period_bounds(period)
        found = await unit.snapshot.aggregated_deliveries(
            contract_ids=[t[1] for t in rows if t[1]], self_serve=[t[0] for t in rows if not t[1]], start=start,
            end=end, snap=scope.snap, split_products=scope.split_products)
        for bill_to, contract_key, _, invoice_id, number, baseline in rows:
            key = GroupKey(bill_to, contract_key, scope.period)
            out.setdefault(key, []).append(Correction(
                invoice_id, number, period, baseline, found.get(delivery_scope(contract_key, bill_to), [])))
    return out


def price_group(scope: RunScope, g: GroupToPrice) -> Pricing:
    """Price one group: rule 13 adjustments for its changed earlier periods first, then the period itself."""
    invoice_id = str(uuid.uuid4())
    key = g.key
    bill_to = g.bill_to
    contract = BillingContract.from_stored(g.contract_state) if g.contract_state is not None else None
    terms = contract.terms_for(scope.period) if contract is not None else None
    adjustment_lines: list[DraftLine] = []
    findings: list[PricingException] = []
    for c in g.corrections:
        adjustment = price_prior_period_adjustment(PriorPeriodCorrection(
            billed=summarise_billed(c.invoice_number, c.period, c.baseline), bill_to=bill_to,
            products=scope.products, deliveries=tuple(c.deliveries),
            terms=contract.terms_for(c.period) if contract is not None else None,
            billed_to_date=g.billed_before, line_id_seed=invoice_id))
        adjustment_lines.extend(adjustment.lines)
        findings.extend(_billed_in(e, scope.period) for e in adjustment.exceptions
                        if adjustment.lines or e.kind != "restatement_after_issue")
    draft = price_invoice_group(InvoiceGroup(
        period=scope.period, bill_to=bill_to, products=scope.products, deliveries=tuple(g.deliveries), terms=terms,
        billed_before=g.billed_before, prior_period_lines=tuple(adjustment_lines), line_id_seed=invoice_id))
    check_storable(draft)
    findings.extend(draft.exceptions)
    currency = draft.currency
    problems = [_exception(scope, key, e, currency) for e in findings]
    inputs = PricingInputs.of(terms=terms, products=scope.product_digests, bill_to=bill_to,
                              product_codes={ln.product_code for ln in draft.lines if ln.product_code},
                              billed_before=g.billed_before)
    invoice_terms = None if terms is None else InvoiceTerms(terms.po_number, terms.payment_terms_days)
    return Pricing(invoice_id, draft, invoice_terms, [c.invoice_id for c in g.corrections if c.invoice_id], problems,
                   inputs.as_wire())


def _billed_in(e: PricingException, period: str) -> PricingException:
    """Rule 13's record names the period whose invoice carries the adjustment: one exception per adjustment
    (a preview and the issue of that invoice share it; a later restatement of the same period raises its own)."""
    if e.kind != "restatement_after_issue":
        return e
    return replace(e, refs=(*e.refs, ("billed_in_period", period)))


def _exception(scope: RunScope, key: GroupKey, e: PricingException, currency: str) -> NewException:
    refs = {"period": scope.period, "contract_id": key.contract_id, "bill_to_account_id": key.bill_to_account_id,
            "line_item_id": e.line_item_id, **dict(e.refs)}
    return new_exception(e.kind, key.bill_to_account_id, refs, e.amount_at_risk, currency)


def _out_of_range(key: GroupKey, exc: ArithmeticError | ValidationError) -> NewException:
    """The exception of a group pricing could not bill: an amount past what an invoice holds, or contract terms
    (stored before the bounds existed) that no longer validate. Nothing is invoiced for the group until the
    configuration is corrected; the next run prices it again."""
    refs = {"period": key.period, "contract_id": key.contract_id, "bill_to_account_id": key.bill_to_account_id}
    reason = out_of_range_reason(exc) if isinstance(exc, ArithmeticError) else \
        f"the contract terms in effect for the period are not valid: {exc.errors()[0]['msg']}"
    return new_exception("pricing_out_of_range", key.bill_to_account_id, {**refs, "reason": reason[:500]},
                         None, None, dedupe_key=default_dedupe_key("pricing_out_of_range", refs))


def _unknown(seed: GroupSeed, account_missing: bool) -> NewException:
    kind = "unknown_account" if account_missing else "unknown_contract"
    refs = {"period": seed.key.period, "contract_id": seed.key.contract_id,
            "bill_to_account_id": seed.key.bill_to_account_id}
    return new_exception(kind, seed.key.bill_to_account_id, refs, None, None)
