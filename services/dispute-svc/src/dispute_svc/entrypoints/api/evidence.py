"""`GET /v1/disputes/{id}/evidence`: everything an analyst needs to judge the dispute, in one read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dispute_svc.app.evidence import assemble_evidence, load_evidence_inputs
from dispute_svc.entrypoints.api.common import wire
from dispute_svc.entrypoints.api.deps import DisputeCtx, RequestUnit
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/disputes", tags=["evidence"])


@router.get(
    "/{dispute_id}/evidence", summary="Evidence pack: lines, terms in effect, deliveries, re-price",
    description="The disputed lines; the contract terms in effect at the period end (from billing.config.v1); "
                "the deliveries behind each line with their revisions (invoice-svc `GET /v1/deliveries`); and a "
                "fresh re-price per product (invoice-svc `POST /v1/price-simulations`) with the difference per "
                "line (invoiced - re-priced, matched by line_item_id and kind). When invoice-svc cannot answer, "
                "`available` is false with the reason; nothing is estimated.",
)
async def evidence(dispute_id: str, ctx: DisputeCtx, unit: RequestUnit, _principal: CurrentPrincipal) -> dict[str, Any]:
    async with unit.session.begin():
        inputs = await load_evidence_inputs(unit, dispute_id)
    # invoice-svc is called outside the transaction, so a slow answer holds no database connection.
    return wire(await assemble_evidence(ctx.deps.invoice_client, inputs))
