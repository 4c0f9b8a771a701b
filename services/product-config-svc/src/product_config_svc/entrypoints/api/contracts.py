"""/v1/contracts: insertion orders, their lifecycle and their amendment history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from mediabill_common.auth.principal import Principal
from mediabill_common.events.config_state import ContractState, ContractStatus
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit
from mediabill_common.web.security import CurrentPrincipal, require_roles
from product_config_svc.adapters.repositories import ContractRepository
from product_config_svc.app import contracts as use_cases
from product_config_svc.app.common import load
from product_config_svc.entrypoints.api.contract_schemas import (
    AmendmentCreate,
    ContractCreate,
    ContractPage,
    ContractPatch,
    ContractVersions,
    ContractView,
    Lifecycle,
)
from product_config_svc.entrypoints.api.deps import (
    WRITERS,
    ConfigCtx,
    after_key,
    next_cursor,
    now,
    stored_answer,
    unit_for,
)

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag from a GET; stale -> 412")]


def _answer(response: Response, stored, status: int = 200) -> dict[str, Any]:
    set_etag(response, stored.version)
    response.status_code = status
    return {**stored.state.model_dump(mode="json"), "state_version": stored.version}


@router.post("", response_model=ContractView, status_code=201, summary="Book a contract / IO (draft)")
async def create_contract(body: ContractCreate, ctx: ConfigCtx, session: Session, principal: Writer,
                          response: Response) -> dict[str, Any]:
    fields = body.model_dump(mode="json", exclude={"reason"})
    fields["contract_id"] = fields["contract_id"] or f"IO-{uuid.uuid4().hex[:12].upper()}"
    contract = ContractState.model_validate(fields)
    async with session.begin():
        stored = await use_cases.create_contract(unit_for(ctx, session, principal), contract, body.reason)
    response.headers["Location"] = f"/v1/contracts/{contract.contract_id}"
    return _answer(response, stored, 201)


@router.get("", response_model=ContractPage, summary="Contracts, filtered and paginated by id")
async def list_contracts(session: Session, _p: CurrentPrincipal, status: ContractStatus | None = None,
                         advertiser_account_id: str | None = None, bill_to_account_id: str | None = None,
                         currency: str | None = None, product_code: str | None = None,
                         limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    rows = await ContractRepository(session).page_documents(
        {"status": status, "advertiser_account_id": advertiser_account_id,
         "bill_to_account_id": bill_to_account_id, "currency": currency}, after_key(cursor), limit,
        {"lines": [{"product_code": product_code}]} if product_code else None)
    return {"items": [{**r.state, "state_version": r.version} for r in rows[:limit]],
            "next_cursor": next_cursor(rows, limit, lambda r: r.state["contract_id"])}


@router.get("/{contract_id}", response_model=ContractView, summary="One contract with its current terms")
async def get_contract(contract_id: str, session: Session, _p: CurrentPrincipal, response: Response) \
        -> dict[str, Any]:
    return await stored_answer(response, ContractRepository(session), "contract", contract_id)


@router.get("/{contract_id}/versions", response_model=ContractVersions, summary="Every version of the terms")
async def contract_versions(contract_id: str, session: Session, _p: CurrentPrincipal) -> dict[str, Any]:
    contract = (await load(ContractRepository(session), "contract", contract_id)).state
    return {"contract_id": contract_id, "amendment_no": contract.amendment_no,
            "versions": [v.model_dump(mode="json") for v in contract.versions]}


@router.patch("/{contract_id}", response_model=ContractView, summary="Edit a draft contract (If-Match)")
async def patch_contract(contract_id: str, body: ContractPatch, ctx: ConfigCtx, session: Session, principal: Writer,
                         response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude={"reason"})
    async with session.begin():
        stored = await use_cases.revise_draft(unit_for(ctx, session, principal), contract_id, changes,
                                              if_match=if_match, reason=body.reason)
    return _answer(response, stored)


@router.post("/{contract_id}/activate", response_model=ContractView, summary="draft -> active")
async def activate_contract(contract_id: str, ctx: ConfigCtx, session: Session, principal: Writer,
                            response: Response, body: Lifecycle | None = None, if_match: IfMatch = None) \
        -> dict[str, Any]:
    async with session.begin():
        stored = await use_cases.activate_contract(unit_for(ctx, session, principal), contract_id,
                                                   if_match=if_match, reason=body.reason if body else None)
    return _answer(response, stored)


@router.post("/{contract_id}/amendments", response_model=ContractView, status_code=201,
             summary="Amend the terms from a date (never inside or before an invoiced period: 409)")
async def amend_contract(contract_id: str, body: AmendmentCreate, ctx: ConfigCtx, session: Session, principal: Writer,
                         response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    async with session.begin():
        stored = await use_cases.amend_contract(
            unit_for(ctx, session, principal), contract_id, effective_from=body.effective_from,
            changes=body.term_changes(), reason=body.reason, now=now(), if_match=if_match)
    return _answer(response, stored, 201)


@router.post("/{contract_id}/end", response_model=ContractView, summary="active -> ended")
async def end_contract(contract_id: str, ctx: ConfigCtx, session: Session, principal: Writer, response: Response,
                       body: Lifecycle | None = None, if_match: IfMatch = None) -> dict[str, Any]:
    async with session.begin():
        stored = await use_cases.end_contract(unit_for(ctx, session, principal), contract_id,
                                              if_match=if_match, reason=body.reason if body else None)
    return _answer(response, stored)
