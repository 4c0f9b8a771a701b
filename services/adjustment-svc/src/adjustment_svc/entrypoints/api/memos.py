"""`/v1/memos`: issued credit and debit memos and their PDF documents."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from adjustment_svc.adapters.memo_document import MemoDocumentArchive
from adjustment_svc.adapters.memo_repository import MemoRepository
from adjustment_svc.app.issue_memo import memo_document
from adjustment_svc.app.ports import MemoRecord
from adjustment_svc.entrypoints.api.deps import AdjustmentCtx
from adjustment_svc.entrypoints.api.schemas import MemoOut, MemoWithDocument
from adjustment_svc.entrypoints.consumer import unit_in
from mediabill_common.web.deps import Session
from mediabill_common.web.pagination import Cursor, Limit, Page, decode_cursor, page_of
from mediabill_common.web.problems import NotFound
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/memos", tags=["memos"])


async def _memo(session, memo_id: str) -> MemoRecord:
    async with session.begin():
        memo = await MemoRepository(session).get(memo_id)
    if memo is None:
        raise NotFound(f"no memo {memo_id}")
    return memo


@router.get("", response_model=Page[MemoOut], summary="Issued memos, newest first")
async def list_memos(session: Session, _principal: CurrentPrincipal,
                     memo_number: str | None = Query(None, max_length=40, description=(
                         "the memo with this number, e.g. CM-2026-00000007 (case and surrounding spaces ignored)")),
                     invoice_id: str | None = Query(None),
                     invoice_number: str | None = Query(None, max_length=40, description=(
                         "memos on the invoice with this number, e.g. INV-2026-00000042")),
                     kind: Literal["credit", "debit"] | None = Query(None), limit: Limit = 50,
                     cursor: Cursor = None) -> Page[MemoOut]:
    position = decode_cursor(cursor)
    after = (datetime.fromisoformat(position["at"]), position["id"]) if position else None
    numbers = {"memo_number": memo_number, "invoice_number": invoice_number}
    async with session.begin():
        rows = await MemoRepository(session).list(
            invoice_id=invoice_id, kind=kind, limit=limit, after=after,
            **{k: v.strip().upper() if v is not None else None for k, v in numbers.items()})
    page = page_of(rows, limit, lambda m: {"at": m.issued_at.isoformat(), "id": m.memo_id})
    return Page[MemoOut](items=[MemoOut.of(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/{memo_id}", response_model=MemoWithDocument, summary="An issued memo")
async def get_memo(memo_id: str, session: Session, _principal: CurrentPrincipal) -> MemoWithDocument:
    memo = await _memo(session, memo_id)
    stored = await MemoDocumentArchive(session).get(memo_id)
    return MemoWithDocument(**MemoOut.of(memo).model_dump(), document_sha256=stored.sha256 if stored else None)


@router.get("/{memo_id}/document", summary="The memo as PDF, as issued, byte for byte",
            description="Rendered once, when the memo was issued, and stored: every download returns those bytes "
                        "(`ETag` and `Repr-Digest` carry their SHA-256). A memo issued before documents were stored "
                        "is rendered and stored on its first download.",
            responses={200: {"content": {"application/pdf": {}}}}, response_class=Response)
async def get_memo_document(memo_id: str, ctx: AdjustmentCtx, session: Session,
                            _principal: CurrentPrincipal) -> Response:
    memo = await _memo(session, memo_id)
    stored = await MemoDocumentArchive(session).get(memo_id)
    if stored is None:  # a GET's session is read-only: the first rendering is kept in a transaction of its own
        async with ctx.sessions() as writer, writer.begin():
            stored = await memo_document(unit_in(ctx, writer), memo)
    digest = base64.b64encode(bytes.fromhex(stored.sha256)).decode()
    return Response(stored.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{memo.memo_number}.pdf"', "ETag": f'"{stored.sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:"})
