"""Issued invoices' documents: each PDF stored once with its SHA-256 (the table refuses UPDATE and DELETE)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.billing_tables import invoice_documents, invoices
from invoice_svc.app.stored import StoredDocument


class DocumentRepository:
    """app.ports.IssuedDocuments over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, invoice_id: str) -> StoredDocument | None:
        row = (await self._session.execute(
            select(invoice_documents).where(invoice_documents.c.invoice_id == invoice_id))).first()
        return None if row is None else StoredDocument(row.invoice_id, row.sha256, row.pdf, row.rendered_at)

    async def keep_first(self, invoice_id: str, pdf: bytes, sha256: str) -> StoredDocument:
        """Store the document unless one is stored already (a concurrent first download); the stored one either way."""
        await self._session.execute(insert(invoice_documents).values(invoice_id=invoice_id, sha256=sha256, pdf=pdf)
                                    .on_conflict_do_nothing(index_elements=[invoice_documents.c.invoice_id]))
        stored = await self.get(invoice_id)
        assert stored is not None, "inserted or already there in this transaction"
        return stored

    async def digests_of(self, invoice_ids: list[str]) -> dict[str, str]:
        """The SHA-256 of the stored documents among these invoices."""
        if not invoice_ids:
            return {}
        rows = await self._session.execute(select(invoice_documents.c.invoice_id, invoice_documents.c.sha256)
                                           .where(invoice_documents.c.invoice_id.in_(invoice_ids)))
        return {invoice_id: sha for invoice_id, sha in rows}

    async def issued_without_document(self, limit: int) -> list[str]:
        """Issued (or since voided) invoices whose document is not stored yet, newest first (what customers are
        about to download; a backlog of older ones follows)."""
        missing = (select(invoices.c.invoice_id)
                   .outerjoin(invoice_documents, invoice_documents.c.invoice_id == invoices.c.invoice_id)
                   .where(invoices.c.status != "draft", invoice_documents.c.invoice_id.is_(None))
                   .order_by(invoices.c.created_at.desc(), invoices.c.invoice_id).limit(limit))
        return list((await self._session.execute(missing)).scalars())
