"""Reconciliations (oversight.md): two delivery sources per service day (O1) and first-party against third-party
measurement per contract line (O2)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from invoice_svc.adapters.bill_run_repository import BillRunRepository
from invoice_svc.adapters.close_repository import MeasurementQueries
from invoice_svc.adapters.source_reconciliation_repository import SourceReconciliationQueries
from invoice_svc.app.measurement import MeasurementQuery, MeasurementTotals, measurement_rows, measurement_totals
from invoice_svc.app.source_reconciliation import SourceReconciliationQuery, reconcile_sources
from invoice_svc.app.stored import BillRun
from invoice_svc.domain.billing.run_diff import LineDifference, diff_runs, totals_by_currency
from invoice_svc.domain.close.source_reconciliation import ReconciliationSummary, SourceStatus
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.events.types import Period
from mediabill_common.money import round_money
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor, page_of
from mediabill_common.web.problems import NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["reconciliations"])


class MeasurementRow(BaseModel):
    contract_id: str
    line_item_id: str
    product_code: str
    service_period: str = Field(description="the period measured (YYYY-MM)")
    currency: str = Field(description="ISO 4217 currency of the money fields")
    billing_basis: Literal["first_party", "third_party", "discrepancy_tolerance"] = Field(
        description="the contract's billing basis in effect for the period (billing-rules.md rule 5)")
    threshold_pct: str = Field(description="rule 5's threshold t in effect, in percent (default 10)")
    first_party_impressions: int = Field(description="ad-server impressions of the period's billing-source "
                                                     "deliveries (latest revisions)")
    third_party_impressions: int | None = Field(description="third-party impressions of the same deliveries; null "
                                                            "when any of them lacks a third-party count")
    discrepancy_pct: str | None = Field(description="(1P - 3P) / 3P in percent, 2 places; null when 3P is missing "
                                                    "or zero")
    status: Literal["within_threshold", "beyond_threshold", "missing_third_party"] = Field(
        description="beyond_threshold when |1P - 3P| > 3P x t (exact counts); missing_third_party when a delivery "
                    "lacks a third-party count")
    quantity_billed: int = Field(description="impressions billed for the line and period on issued invoices")
    billed: str = Field(description="usage amount billed for the line and period on issued invoices")
    first_party_value: str | None = Field(description="what first-party impressions would bill, priced by the bill "
                                                      "run's engine and rate (budget cap included); null when the "
                                                      "line cannot be priced (see unpriced)")
    value_at_stake: str | None = Field(description="first_party_value - billed")
    unpriced: list[str] = Field(description="exception kinds that keep the line from being priced")


@router.get("/v1/reconciliations/measurement", response_model=Page[MeasurementRow],
            summary="First-party against third-party impressions per CPM contract line (oversight.md O2)")
async def list_measurement(
    unit: RequestUnit, _p: CurrentPrincipal,
    period: Annotated[Period, Query(description="the service period YYYY-MM")],
    contract_id: Annotated[str | None, Query(max_length=200, description="only this contract's lines")] = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[MeasurementRow]:
    """Per contract line billed on impressions (CPM) of the contracts in flight in the period, in (contract, line
    item) order: first- and third-party impressions, the discrepancy and its status against the threshold, the
    billing basis, what issued invoices billed (quantity and amount) and the value at stake, before and after
    invoicing."""
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        if not (isinstance(position.get("c"), str) and isinstance(position.get("l"), str)):
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page")
        after = (position["c"], position["l"])
    query = MeasurementQuery(period, contract_id, after, limit)
    async with unit.session.begin():
        rows = await measurement_rows(unit, MeasurementQueries(unit.session), query, datetime.now(UTC))
    return page_of([MeasurementRow.model_validate(r) for r in rows], limit,
                   lambda r: {"c": r.contract_id, "l": r.line_item_id})


SourceSort = Literal["contract_line_date", "-difference"]
SourceSystem = Annotated[str, Query(min_length=1, max_length=100)]


class SourceDayRow(BaseModel):
    contract_id: str | None = Field(description="null for a self-serve advertiser's deliveries (no contract)")
    line_item_id: str
    product_code: str
    service_date: date
    unit: str = Field(description="the line's billing unit (impressions, viewable_impressions, clicks, ...)")
    currency: str = Field(description="ISO 4217 currency of the values (the contract's)")
    left_quantity: int | None = Field(description="the left source's quantity of the day; null when it has none")
    right_quantity: int | None = Field(description="the right source's quantity of the day; null when it has none")
    difference: int = Field(description="right - left (a missing side counts 0)")
    difference_pct: str | None = Field(description="(right - left) / left in percent, 2 places; null when a side "
                                                   "is missing or left is 0")
    status: SourceStatus = Field(description="matched; within_tolerance when |right - left| <= left x tolerance "
                                             "(exact); beyond_tolerance; only_left; only_right")
    left_value: str | None = Field(description="left quantity x the line's effective value per unit in the "
                                               "period's preview")
    right_value: str | None = Field(description="right quantity x the same value per unit")
    value_difference: str | None = Field(description="right_value - left_value; null when the line is unpriced")
    billed: bool = Field(description="a record of either side bills the day (false: the day has only records its "
                                     "product's billing source does not bill)")
    unpriced: list[str] = Field(description="exception kinds that keep the line from being priced")


class ValueTotals(BaseModel):
    currency: str
    left_value: str
    right_value: str
    difference: str = Field(description="right_value - left_value")


class SourceSummary(BaseModel):
    rows: dict[str, int] = Field(description="rows per status (every status named)")
    values: list[ValueTotals] = Field(description="value per side and difference, per currency (priced rows)")
    unpriced_rows: int


class SourceReconciliationPage(Page[SourceDayRow]):
    left: str
    right: str
    tolerance_pct: str
    summary: SourceSummary = Field(description="over every row of the query (not only this page), before the "
                                               "status filter")


@router.get("/v1/reconciliations/sources", response_model=SourceReconciliationPage,
            summary="Two delivery sources compared per (contract, line item, service date) (oversight.md O1)")
async def reconcile_delivery_sources(
    unit: RequestUnit, _p: CurrentPrincipal,
    period: Annotated[Period, Query(description="the service period YYYY-MM")],
    left: SourceSystem, right: SourceSystem,
    product_code: Annotated[str | None, Query(max_length=64)] = None,
    contract_id: Annotated[str | None, Query(max_length=200)] = None,
    tolerance_pct: Annotated[Decimal, Query(ge=0, le=100, max_digits=7, decimal_places=4,
                                            description="tolerance on quantity, in percent (default 1)")] = Decimal(1),
    status: Annotated[SourceStatus | None, Query(description="only rows of this status")] = None,
    sort: Annotated[SourceSort, Query(description="`contract_line_date` (the default) or `-difference` (the "
                                                  "largest absolute quantity difference first)")]
    = "contract_line_date",
    limit: Limit = 50, cursor: Cursor = None,
) -> SourceReconciliationPage:
    """Each side's quantity and value per service day, the difference and its status against the tolerance (on
    quantity), and a summary of the whole query. The left source is the reference (usually the one billing)."""
    if left == right:
        raise Unprocessable("left and right must name two different source systems",
                            errors=[{"field": "right", "in": "query", "message": "same as left"}])
    after = _source_position(decode_cursor(cursor), sort)
    query = SourceReconciliationQuery(period, left, right, product_code, contract_id, tolerance_pct)
    async with unit.session.begin():
        found = await reconcile_sources(unit, SourceReconciliationQueries(unit.session), query, datetime.now(UTC))
    rows = sorted((r for r in found.rows if status is None or r["status"] == status),
                  key=lambda r: _source_key(r, sort))
    if after is not None:
        rows = [r for r in rows if _source_key(r, sort) > after]
    next_cursor = encode_cursor({"s": sort, "k": list(_source_key(rows[limit - 1], sort))}) \
        if len(rows) > limit else None
    return SourceReconciliationPage(items=[SourceDayRow.model_validate(r) for r in rows[:limit]],
                                    next_cursor=next_cursor, left=left, right=right,
                                    tolerance_pct=format(tolerance_pct, "f"), summary=_summary(found.summary))


def _source_key(row: dict[str, Any], sort: str) -> tuple[Any, ...]:
    key = (row["contract_id"] or "", row["line_item_id"], row["service_date"].isoformat())
    return (-abs(row["difference"]), *key) if sort == "-difference" else key


def _source_position(position: dict[str, Any] | None, sort: str) -> tuple[Any, ...] | None:
    if position is None:
        return None
    key = position.get("k")
    shape = (int, str, str, str) if sort == "-difference" else (str, str, str)
    if position.get("s") != sort or not isinstance(key, list) or len(key) != len(shape) \
            or not all(isinstance(v, t) for v, t in zip(key, shape, strict=True)):
        raise Unprocessable("cursor is not valid for this sort; pass next_cursor from a previous page")
    return tuple(key)


def _summary(summary: ReconciliationSummary) -> SourceSummary:
    return SourceSummary(rows=dict(summary.rows), unpriced_rows=summary.unpriced_rows, values=[
        ValueTotals(currency=t.currency, left_value=format(t.left_value, "f"), right_value=format(t.right_value, "f"),
                    difference=format(t.difference, "f")) for _, t in sorted(summary.values.items())])


class RunSide(BaseModel):
    run_id: str
    period: str
    mode: str
    status: str
    source_system: str | None = Field(description="set on a shadow preview: the source it was priced as if billing")


class RunLineRow(BaseModel):
    bill_to_account_id: str
    contract_id: str | None = Field(description="null for a self-serve group")
    currency: str
    kind: str = Field(description="the line's kind (usage, flat_fee, over_delivery, prior_period_adjustment, ...)")
    line_item_id: str | None
    product_code: str | None
    original_period: str | None = Field(description="set on lines billing an earlier period")
    left_amount: str = Field(description="what the left run bills for this line (0 when it has none)")
    right_amount: str = Field(description="what the right run bills for this line (0 when it has none)")
    difference: str = Field(description="right_amount - left_amount")
    in_left: bool
    in_right: bool


class RunTotals(BaseModel):
    currency: str
    left_amount: str
    right_amount: str
    difference: str


class BillRunDiffPage(Page[RunLineRow]):
    left: RunSide
    right: RunSide
    totals: list[RunTotals] = Field(description="over every compared line (not only this page), per currency")


@router.get("/v1/reconciliations/bill-runs", response_model=BillRunDiffPage,
            summary="Two bill runs of a period compared per invoice group and line (oversight.md O1)",
            responses={404: {"description": "No bill run has the id given as `left` or `right`."}})
async def compare_bill_runs(
    unit: RequestUnit, _p: CurrentPrincipal,
    left: Annotated[str, Query(min_length=1, max_length=64, description="a run id (e.g. the billing source's)")],
    right: Annotated[str, Query(min_length=1, max_length=64, description="a run id (e.g. a shadow preview)")],
    limit: Limit = 50, cursor: Cursor = None,
) -> BillRunDiffPage:
    """Each run's amount per (invoice group, line kind, line item, product, original period), matched across the
    runs, and the difference. A preview's drafts last until a later run of the period replaces them; a shadow
    preview's stay under its run id."""
    if left == right:
        raise Unprocessable("left and right must name two different bill runs",
                            errors=[{"field": "right", "in": "query", "message": "same as left"}])
    position = decode_cursor(cursor)
    after = None
    if position is not None:
        if not (isinstance(k := position.get("k"), list) and len(k) == 7 and all(isinstance(v, str) for v in k)):
            raise Unprocessable("cursor is not valid; pass next_cursor from a previous page")
        after = tuple(k)
    queries = SourceReconciliationQueries(unit.session)
    async with unit.session.begin():
        runs = [await BillRunRepository(unit.session).get(run_id) for run_id in (left, right)]
        missing = [run_id for run_id, run in zip((left, right), runs, strict=True) if run is None]
        if missing:
            raise NotFound(f"no bill run with id {', '.join(missing)}")
        sides = [r for r in runs if r is not None]
        if sides[0].period != sides[1].period:
            raise Unprocessable(f"the runs bill different periods ({sides[0].period}, {sides[1].period}): compare "
                                "two runs of one period")
        rows = diff_runs(await queries.run_lines(left), await queries.run_lines(right))
    totals = [RunTotals(currency=c, left_amount=_amount(lt, c), right_amount=_amount(rt, c),
                        difference=_amount(rt - lt, c)) for c, (lt, rt) in sorted(totals_by_currency(rows).items())]
    todo = [r for r in rows if after is None or tuple(r.key) > after]
    next_cursor = encode_cursor({"k": list(todo[limit - 1].key)}) if len(todo) > limit else None
    return BillRunDiffPage(items=[_run_line(r) for r in todo[:limit]], next_cursor=next_cursor,
                           left=_side(sides[0]), right=_side(sides[1]), totals=totals)


def _side(run: BillRun) -> RunSide:
    return RunSide(run_id=run.run_id, period=run.period, mode=run.mode, status=run.status,
                   source_system=run.source_system)


def _run_line(row: LineDifference) -> RunLineRow:
    k = row.key
    return RunLineRow(bill_to_account_id=k.bill_to_account_id, contract_id=k.contract_key or None,
                      currency=k.currency, kind=k.kind, line_item_id=k.line_item_id or None,
                      product_code=k.product_code or None, original_period=k.original_period or None,
                      left_amount=_amount(row.left, k.currency), right_amount=_amount(row.right, k.currency),
                      difference=_amount(row.difference, k.currency), in_left=row.in_left, in_right=row.in_right)


def _amount(value: Decimal, currency: str) -> str:
    """Amounts already rounded when billed, shown in the currency's minor unit."""
    return format(round_money(value, currency), "f")


class MeasurementCurrencyTotals(BaseModel):
    currency: str = Field(description="ISO 4217 currency of the money fields")
    lines: int = Field(description="contract lines measured")
    within_threshold: int
    beyond_threshold: int
    missing_third_party: int
    unpriced_lines: int = Field(description="lines that cannot be priced (their first-party value and value at "
                                            "stake are left out of the totals)")
    quantity_billed: int = Field(description="impressions billed on issued invoices")
    billed: str = Field(description="usage amount billed on issued invoices, every line")
    first_party_value: str = Field(description="what first-party impressions would bill, priced lines")
    value_at_stake: str = Field(description="first-party value - billed, priced lines")

    @classmethod
    def of(cls, totals: MeasurementTotals) -> MeasurementCurrencyTotals:
        def amount(value: Decimal) -> str:
            return _amount(value, totals.currency)
        return cls(currency=totals.currency, lines=totals.lines, within_threshold=totals.within_threshold,
                   beyond_threshold=totals.beyond_threshold, missing_third_party=totals.missing_third_party,
                   unpriced_lines=totals.unpriced_lines, quantity_billed=totals.quantity_billed,
                   billed=amount(totals.billed), first_party_value=amount(totals.first_party_value),
                   value_at_stake=amount(totals.value_at_stake))


class MeasurementTotalsOut(BaseModel):
    period: str
    contract_id: str | None
    totals: list[MeasurementCurrencyTotals] = Field(description="one entry per currency, in currency order")


@router.get("/v1/reconciliations/measurement/totals", response_model=MeasurementTotalsOut,
            summary="Totals per currency of the first- vs third-party reconciliation (oversight.md O2)")
async def measurement_totals_of(
    unit: RequestUnit, _p: CurrentPrincipal,
    period: Annotated[Period, Query(description="the service period YYYY-MM")],
    contract_id: Annotated[str | None, Query(max_length=200, description="only this contract's lines")] = None,
) -> MeasurementTotalsOut:
    """Over every line `GET /v1/reconciliations/measurement` lists for the same filters: lines per status, the
    quantity and amount billed, and the first-party value and value at stake of the lines that can be priced."""
    async with unit.session.begin():
        totals = await measurement_totals(unit, MeasurementQueries(unit.session), period, contract_id,
                                          datetime.now(UTC))
    return MeasurementTotalsOut(period=period, contract_id=contract_id,
                                totals=[MeasurementCurrencyTotals.of(t) for t in totals])
