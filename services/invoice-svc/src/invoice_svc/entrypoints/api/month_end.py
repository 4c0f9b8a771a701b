"""Month-end (close.md C9, C10, variance): the unbilled snapshot, a period's billing status, the variance report."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from invoice_svc.adapters.close_repository import MonthEndQueries, PeriodLockRepository, VarianceQueries
from invoice_svc.app.billing_status import billing_status
from invoice_svc.app.unbilled import compute_unbilled
from invoice_svc.app.variance import variance_report
from invoice_svc.entrypoints.api.deps import RequestUnit
from mediabill_common.auth.principal import Principal
from mediabill_common.events.types import Period
from mediabill_common.web.deps import Session
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal, require_roles

router = APIRouter(tags=["month-end"])
SnapshotTaker = Annotated[Principal, Depends(require_roles("billing-manager", "service"))]


@router.get("/v1/periods/{period}/billing-status", summary="Is billing complete for the period (close.md C10)")
async def get_billing_status(session: Session, _p: CurrentPrincipal, period: Period) -> dict[str, Any]:
    """Complete when an `issue` run over every bill-to account has completed since the last delivery of the period
    was ingested (its snapshot is no older); with the count and totals per currency of the invoices issued for the
    period, voided ones counted apart, and whether accounting-svc closed it (`locked`)."""
    return await billing_status(MonthEndQueries(session), PeriodLockRepository(session), period)


@router.get("/v1/unbilled", summary="Delivered or earned but not yet invoiced (close.md C9); writes nothing")
async def get_unbilled(unit: RequestUnit, _p: CurrentPrincipal,
                       period: Annotated[Period, Query(description="YYYY-MM: service dates in or before it")]) \
        -> dict[str, Any]:
    """Per bill-to, contract, product, GL revenue account, currency and reason: gross, discount and commission
    without tax, priced as a bill run would price them now; what cannot be priced is listed under `unpriced`."""
    async with unit.session.begin():
        result = await compute_unbilled(unit, MonthEndQueries(unit.session), period, datetime.now(UTC))
    return result.as_dict()


class SnapshotRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"period": "2025-03"}]})
    period: Period = Field(description="the period to snapshot (YYYY-MM)")


@router.post("/v1/unbilled-snapshots", status_code=201,
             summary="Store the unbilled snapshot of a period under an id (billing-manager, service)")
async def create_unbilled_snapshot(unit: RequestUnit, principal: SnapshotTaker, body: SnapshotRequest) \
        -> dict[str, Any]:
    """What `GET /v1/unbilled` answers now, stored so that a close accrues exactly what it showed."""
    snapshot_id = str(uuid.uuid4())
    async with unit.session.begin():
        result = (await compute_unbilled(unit, MonthEndQueries(unit.session), body.period,
                                         datetime.now(UTC))).as_dict()
        result = {"snapshot_id": snapshot_id, "taken_by": principal.sub, **result}
        await MonthEndQueries(unit.session).save_snapshot(snapshot_id, body.period, principal.sub,
                                                          datetime.fromisoformat(result["as_of"]), json.dumps(result))
        await unit.record_audit(actor=principal.sub, action="take_unbilled_snapshot", entity_type="unbilled_snapshot",
                                entity_id=snapshot_id, after={"period": body.period, "totals": result["totals"]})
    return result


@router.get("/v1/unbilled-snapshots/{snapshot_id}", summary="A stored unbilled snapshot")
async def get_unbilled_snapshot(session: Session, _p: CurrentPrincipal, snapshot_id: str) -> dict[str, Any]:
    stored = await MonthEndQueries(session).snapshot(snapshot_id)
    if stored is None:
        raise NotFound(f"No unbilled snapshot {snapshot_id}.")
    return stored


@router.get("/v1/variance", summary="Booked vs delivered vs billed per contract line (close.md)")
async def get_variance(unit: RequestUnit, _p: CurrentPrincipal,
                       period: Annotated[Period, Query(description="the service period YYYY-MM")],
                       threshold_pct: Annotated[Decimal, Query(ge=0, le=1000, description="flag a difference beyond "
                                                               "this % (default 10)")] = Decimal(10)) \
        -> dict[str, Any]:
    """Per contract line of the contracts in flight in the period, gross: booked (budget or fee spread over the
    flight's days; null for an uncapped line without a fee), delivered (the period's deliveries priced on the billing
    basis, capped, with `over_delivery_value` beside it), billed (usage, flat-fee and prior-period lines for the
    period on issued invoices); each difference and its %, flagged beyond `threshold_pct`; and per invoice of the
    period what was credited, debited and paid (`collected`)."""
    async with unit.session.begin():
        return await variance_report(unit, VarianceQueries(unit.session), period, threshold_pct, datetime.now(UTC))
