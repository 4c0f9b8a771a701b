"""The delivery ledger as ingested: current figures, billability and revision history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from invoice_svc.adapters.exception_repository import ExceptionRepository
from invoice_svc.adapters.ledger_repository import DeliveryFilter, LedgerEntry, LedgerRepository, ReceivedRevision
from invoice_svc.domain.ledger.records import delivery_key
from invoice_svc.entrypoints.api.schemas import BillingExceptionOut
from mediabill_common.events.catalog import EXCEPTION_KINDS
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from mediabill_common.web.problems import Conflict, NotFound, Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["deliveries"])


class DeliveryFigures(BaseModel):
    revision: int
    source_system: str
    account_id: str
    contract_id: str | None
    campaign_id: str
    line_item_id: str
    campaign_name: str | None
    product_code: str
    delivery_date: date
    impressions: int
    viewable_impressions: int
    clicks: int
    conversions: int
    third_party_impressions: int | None
    media_cost: str | None = Field(None, description="decimal string, with `currency`")
    currency: str | None
    event_source: str = Field(description="CloudEvents source of the message that carried this revision")
    event_id: str


class DeliveryRevisionOut(DeliveryFigures):
    received_at: datetime


class DeliveryOut(DeliveryFigures):
    delivery_id: str
    billable: bool = Field(description="false while the record raises billing exceptions (it is kept, not dropped)")
    exception_kinds: list[str]
    shadow: bool = Field(description="another source bills this day (the product's billing_sources): kept, never "
                                     "billed, raising no exception")
    first_received_at: datetime
    updated_at: datetime
    revisions: list[DeliveryRevisionOut] | None = Field(
        None, description="every revision received, lowest first (with ?include=revisions, always on the item)")


class DeliveryDetail(DeliveryOut):
    exceptions: list[BillingExceptionOut] = Field(description="the billing exceptions this delivery raised")


_PAGE = Page[DeliveryOut]


def _figures(revision: ReceivedRevision | LedgerEntry) -> dict:
    out = revision.record._asdict()
    media_cost = out["media_cost"]
    out["media_cost"] = format(media_cost.normalize(), "f") if isinstance(media_cost, Decimal) else None
    if isinstance(revision, ReceivedRevision):
        return out | {"received_at": revision.received_at}
    return out | {"billable": revision.billable, "exception_kinds": list(revision.exception_kinds),
                  "shadow": revision.shadow,
                  "first_received_at": revision.first_received_at, "updated_at": revision.updated_at}


@router.get("/v1/deliveries", response_model=Page[DeliveryOut], summary="The delivery ledger as ingested")
async def list_deliveries(
    session: Session, _p: CurrentPrincipal,
    account_id: str | None = None, contract_id: str | None = None, line_item_id: str | None = None,
    product_code: str | None = None,
    source_system: Annotated[str | None, Query(description="records from this delivery source (e.g. `pio`)")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="first delivery_date (inclusive)")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="last delivery_date (inclusive)")] = None,
    billable: bool | None = None,
    exception_kind: Annotated[str | None, Query(description="records raising this exception kind")] = None,
    include: Annotated[Literal["revisions"] | None, Query(description="`revisions` adds each history")] = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> Page[DeliveryOut]:
    if exception_kind is not None and exception_kind not in EXCEPTION_KINDS:
        raise Unprocessable(f"exception_kind {exception_kind!r} is not a billing exception kind",
                            errors=[{"field": "exception_kind", "in": "query",
                                     "message": f"one of {', '.join(EXCEPTION_KINDS)}"}])
    if date_from and date_to and date_from > date_to:
        raise Unprocessable("`from` is after `to`", errors=[{"field": "from", "in": "query",
                                                             "message": "must not be after `to`"}])
    position = decode_cursor(cursor)
    after = _after(position)
    ledger = LedgerRepository(session)
    entries = await ledger.page(DeliveryFilter(
        account_id=account_id, contract_id=contract_id, line_item_id=line_item_id, product_code=product_code,
        source_system=source_system, date_from=date_from, date_to=date_to, billable=billable,
        exception_kind=exception_kind),
        limit=limit, after=after)
    more = len(entries) > limit
    entries = entries[:limit]
    history = await ledger.revisions_of([delivery_key(e.record) for e in entries]) if include else {}
    items = [{**_figures(e), "revisions": [_figures(h) for h in history.get(delivery_key(e.record), [])]
              if include else None} for e in entries]
    last = entries[-1].record if entries else None
    next_cursor = encode_cursor({"d": last.delivery_date.isoformat(), "id": last.delivery_id,
                                 "s": last.source_system}) if more and last else None
    # One validation for the page (in pydantic-core) rather than a model built in Python per record and revision.
    return _PAGE.model_validate({"items": items, "next_cursor": next_cursor})


def _after(position: dict | None) -> tuple[date, str, str] | None:
    if position is None:
        return None
    try:
        return date.fromisoformat(position["d"]), str(position["id"]), str(position.get("s", ""))
    except (KeyError, ValueError, TypeError) as exc:
        raise Unprocessable("cursor is not valid; pass next_cursor from a previous page",
                            errors=[{"field": "cursor", "in": "query", "message": "invalid cursor"}]) from exc


@router.get("/v1/deliveries/{delivery_id}", response_model=DeliveryDetail,
            summary="One delivery: current figures, every revision received and the exceptions it raised "
                    "(a delivery_id is unique within its source: name the source when several report it)")
async def get_delivery(session: Session, _p: CurrentPrincipal,
                       delivery_id: Annotated[str, Path(description="the upstream delivery_id")],
                       source_system: Annotated[str | None, Query(
                           max_length=200, description="the source that reported it; required when several did "
                                                       "(409 names them)")] = None) -> DeliveryDetail:
    ledger = LedgerRepository(session)
    found = [e for e in await ledger.with_id(delivery_id)
             if source_system is None or e.record.source_system == source_system]
    if not found:
        raise NotFound(f"no delivery with delivery_id {delivery_id}"
                       + (f" from {source_system}" if source_system else "") + " has been ingested")
    if len(found) > 1:
        raise Conflict(f"delivery_id {delivery_id} is reported by several sources "
                       f"({', '.join(e.record.source_system for e in found)}): name one with ?source_system=")
    entry = found[0]
    key = delivery_key(entry.record)
    history = await ledger.revisions_of([key])
    raised = await ExceptionRepository(session).of_delivery(key)
    return DeliveryDetail(**_figures(entry), revisions=[DeliveryRevisionOut(**_figures(h)) for h in history[key]],
                          exceptions=[BillingExceptionOut.of(x) for x in raised])
