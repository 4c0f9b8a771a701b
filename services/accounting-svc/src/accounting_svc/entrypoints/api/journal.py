"""`/v1/journal` and `/v1/exports/journal.csv`: the entries with their lines, and the ERP import file."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accounting_svc.adapters.journal_queries import EntryFilter, JournalQueries
from accounting_svc.entrypoints.api.schemas import JournalEntryOut
from mediabill_common.events.catalog import SourceType
from mediabill_common.events.types import Id, Period
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import Unprocessable
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["journal"])

EXPORT_COLUMNS = ("entry_id", "line_no", "posting_date", "posting_period", "original_period", "account", "debit",
                  "credit", "currency", "source_type", "source_id", "document_number", "bill_to_account_id",
                  "account_id", "contract_id", "product_code", "channel", "service_period", "tax_code")
EXPORT_MAX_ROWS = 200_000
AFTER_ENTRY = "export only entries posted after this one (the last entry_id of the previous import)"


@router.get("/v1/journal", response_model=Page[JournalEntryOut], summary="Journal entries with their lines, "
            "in posting order")
async def list_journal(session: Session, _principal: CurrentPrincipal,
                       period: Annotated[Period | None, Query()] = None,
                       account: Annotated[Id | None, Query()] = None,
                       source_type: Annotated[SourceType | None, Query()] = None,
                       source_id: Annotated[Id | None, Query()] = None,
                       contract_id: Annotated[Id | None, Query()] = None, limit: Limit = 50,
                       cursor: Cursor = None) -> Page[JournalEntryOut]:
    position = decode_cursor(cursor)
    after = int(position["seq"]) if position and "seq" in position else None
    async with session.begin():
        rows = await JournalQueries(session).entries(
            EntryFilter(period, account, source_type, source_id, contract_id), after_seq=after, limit=limit + 1)
    page = page_of(rows, limit, lambda e: {"seq": e["seq"]})
    return Page[JournalEntryOut](items=[JournalEntryOut.model_validate(e) for e in page.items],
                                 next_cursor=page.next_cursor)


@router.get("/v1/exports/journal.csv", summary="The journal as an ERP import file, one row per entry line",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_journal(session: Session, _principal: CurrentPrincipal,
                         period: Annotated[Period | None, Query()] = None,
                         after_entry: Annotated[Id | None, Query(description=AFTER_ENTRY)] = None) -> Response:
    queries = JournalQueries(session)
    async with session.begin():
        after = None
        if after_entry is not None:
            after = await queries.seq_of(after_entry)
            if after is None:
                raise Unprocessable(f"no journal entry {after_entry}",
                                    errors=[{"field": "after_entry", "in": "query", "message": "unknown entry"}])
        rows = await queries.export_rows(period, after_seq=after, limit=EXPORT_MAX_ROWS)
    if len(rows) == EXPORT_MAX_ROWS:  # a full file ends with whole entries: the next export starts at the cut one
        cut = rows[-1]["entry_id"]
        rows = [row for row in rows if row["entry_id"] != cut] or rows
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "debit": format(row["debit"], "f"), "credit": format(row["credit"], "f")})
    last = rows[-1]["entry_id"] if rows else after_entry
    headers = {"Content-Disposition": 'attachment; filename="journal.csv"'}
    if last:
        headers["X-Last-Entry-Id"] = last
    return Response(out.getvalue(), media_type="text/csv", headers=headers)
