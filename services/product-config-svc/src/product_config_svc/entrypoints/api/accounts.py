"""/v1/accounts: billing accounts (suppliers, sellers, agencies, advertisers)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mediabill_common.auth.principal import Principal
from mediabill_common.events.config_state import AccountState, AccountType
from mediabill_common.events.types import Currency, Pct
from mediabill_common.web.deps import Session
from mediabill_common.web.etag import set_etag
from mediabill_common.web.pagination import Cursor, Limit
from mediabill_common.web.security import CurrentPrincipal, require_roles
from product_config_svc.adapters.repositories import AccountRepository
from product_config_svc.app import accounts as use_cases
from product_config_svc.domain.accounts import ACCOUNT_ID_FORMAT
from product_config_svc.entrypoints.api.deps import (
    WRITERS,
    ConfigCtx,
    after_key,
    next_cursor,
    stored_answer,
    unit_for,
)

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag from a GET; stale -> 412")]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "account_id": "AGY-GROUPM", "type": "agency", "legal_name": "GroupM Worldwide LLC", "currency": "USD",
        "payment_terms_days": 60, "tax_rates": {"ADV": "8.875"}, "po_required": True,
        "invoice_contact": "ap@groupm.example", "represented_advertisers": ["ADV-ACME"],
        "postal_address": "3 World Trade Center, 175 Greenwich Street, New York NY 10007, USA",
        "tax_registration_id": "US EIN 13-3000000", "reason": "new agency of record"}]})

    account_id: str | None = Field(default=None, max_length=64, description="e.g. the ERP customer number; "
                                                                            "generated when omitted",
                                   json_schema_extra={"pattern": ACCOUNT_ID_FORMAT.pattern})
    type: AccountType
    legal_name: str = Field(min_length=1, max_length=300)
    currency: Currency = Field(description="billing currency (ISO 4217)")
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    tax_rates: dict[str, Pct] = Field(default_factory=dict, description="{tax_code: pct}")
    po_required: StrictBool = False
    invoice_contact: str | None = Field(default=None, description="e-mail address invoices go to")
    represented_advertisers: list[str] = Field(default_factory=list, description="agencies only")
    postal_address: str | None = Field(default=None, max_length=1000, description="printed on invoices and memos")
    tax_registration_id: str | None = Field(default=None, max_length=200,
                                            description="the account's tax registration id (VAT, EIN...), printed "
                                                        "on invoices and memos")
    reason: str | None = Field(default=None, max_length=2000)


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "payment_terms_days": 45, "reason": "renegotiated terms"}]})

    type: AccountType | None = None
    legal_name: str | None = Field(default=None, min_length=1, max_length=300)
    currency: Currency | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    tax_rates: dict[str, Pct] | None = None
    po_required: StrictBool | None = None
    invoice_contact: str | None = None
    represented_advertisers: list[str] | None = None
    postal_address: str | None = Field(default=None, max_length=1000)
    tax_registration_id: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)


class AccountView(AccountState):
    state_version: int


class AccountPage(BaseModel):
    items: list[AccountView]
    next_cursor: str | None = None


def _answer(response: Response, stored, status: int = 200) -> dict[str, Any]:
    set_etag(response, stored.version)
    response.status_code = status
    return {**stored.state.model_dump(mode="json"), "state_version": stored.version}


@router.post("", response_model=AccountView, status_code=201, summary="Open a billing account")
async def create_account(body: AccountCreate, ctx: ConfigCtx, session: Session, principal: Writer,
                         response: Response) -> dict[str, Any]:
    fields = body.model_dump(exclude={"reason"})
    fields["account_id"] = fields["account_id"] or f"ACC-{uuid.uuid4().hex[:12].upper()}"
    account = AccountState(**fields)
    async with session.begin():
        stored = await use_cases.create_account(unit_for(ctx, session, principal), account, body.reason)
    response.headers["Location"] = f"/v1/accounts/{account.account_id}"
    return _answer(response, stored, 201)


@router.get("", response_model=AccountPage, summary="Accounts, filtered and paginated by id")
async def list_accounts(session: Session, _p: CurrentPrincipal, type: AccountType | None = None,
                        currency: str | None = None,
                        represents: str | None = Query(default=None, description="agencies representing this "
                                                                                  "advertiser"),
                        q: str | None = Query(default=None, min_length=1, max_length=200,
                                              description="accounts whose legal name or id contains this text, "
                                                          "ignoring case, e.g. `acme`"),
                        limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    rows = await AccountRepository(session).page_documents(
        {"type": type, "currency": currency}, after_key(cursor), limit,
        {"represented_advertisers": [represents]} if represents else None, matching=q)
    return {"items": [{**r.state, "state_version": r.version} for r in rows[:limit]],
            "next_cursor": next_cursor(rows, limit, lambda r: r.state["account_id"])}


@router.get("/{account_id}", response_model=AccountView, summary="One billing account")
async def get_account(account_id: str, session: Session, _p: CurrentPrincipal, response: Response) \
        -> dict[str, Any]:
    return await stored_answer(response, AccountRepository(session), "account", account_id)


@router.patch("/{account_id}", response_model=AccountView, summary="Change a billing account (If-Match)")
async def patch_account(account_id: str, body: AccountPatch, ctx: ConfigCtx, session: Session, principal: Writer,
                        response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True, exclude={"reason"})
    async with session.begin():
        stored = await use_cases.update_account(unit_for(ctx, session, principal), account_id, changes,
                                                if_match=if_match, reason=body.reason)
    return _answer(response, stored)
