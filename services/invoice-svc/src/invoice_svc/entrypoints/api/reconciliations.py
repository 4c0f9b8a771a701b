"""Reconciliations (oversight.md O2): first-party against third-party measurement per contract line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from invoice_svc.adapters.close_repository import MeasurementQueries
from invoice_svc.app.measurement import MeasurementQuery, measurement_rows
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.events.types import Period
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import Unprocessable
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
