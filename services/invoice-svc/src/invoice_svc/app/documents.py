"""Issued invoices' documents: rendered once from the invoice as issued, stored with their SHA-256, and served byte
for byte afterwards, whatever is paid, credited or voided later (the balance lives in the statement of account).

Everything a document shows is fixed when the invoice is issued: its lines and totals, the names and addresses of
the parties (kept in the invoice's `document` record at issue, the seller's included). The bill-run worker renders
and stores the documents of the invoices a run issued right after it (`store_issued_documents`), outside the run
itself: 100,000 invoices cost some ten CPU minutes of rendering, which must not hold up the run's invoices. A
download that comes before the worker got to an invoice renders and stores it then, from the same record, so
either way the document is rendered once. An invoice issued before documents were stored has no seller record;
its rendering takes the seller's details configured then.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from invoice_svc.app.invoices import InvoiceView, invoice_view
from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import StoredDocument


@dataclass(frozen=True, slots=True)
class Seller:
    """Who issues the invoices and where to pay them (invoice-svc's settings, kept on each invoice at issue)."""

    name: str
    address: str
    tax_registration_id: str
    remit_to: str
    bank: str

    def as_record(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def of_record(cls, record: Mapping[str, Any] | None, default: Seller) -> Seller:
        """The seller an invoice recorded at issue; `default` for one issued before sellers were recorded."""
        if not record:
            return default
        return cls(**{k: str(record.get(k) or getattr(default, k)) for k in cls.__dataclass_fields__})


# Renders an invoice (as issued) to PDF bytes; the adapter that draws it is given by the entrypoint.
InvoiceRenderer = Callable[[InvoiceView], bytes]
# Stores a first rendering in a transaction of its own (reads run on read-only connections) and returns what is
# stored: a concurrent first download may have stored first, and then its bytes are the document.
DocumentKeeper = Callable[[str, bytes, str], Awaitable[StoredDocument]]


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An invoice's PDF; `sha256` is None for a draft (rendered on each read, never stored: it is no document)."""

    view: InvoiceView
    pdf: bytes
    sha256: str | None


def sha256_of(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


async def invoice_document(unit: BillingUnit, invoice_id: str, render: InvoiceRenderer,
                           keep: DocumentKeeper) -> InvoiceDocument:
    """The invoice's document: a draft's rendered now; an issued (or since voided) invoice's as stored, rendered
    and kept on its first download."""
    view = await invoice_view(unit, invoice_id)
    if view.invoice.status == "draft":
        return InvoiceDocument(view, render(view), None)
    stored = await unit.documents.get(invoice_id)
    if stored is None:
        pdf = render(view)
        stored = await keep(invoice_id, pdf, sha256_of(pdf))
    return InvoiceDocument(view, stored.pdf, stored.sha256)


async def store_issued_documents(unit: BillingUnit, render: InvoiceRenderer, limit: int) -> int:
    """Render and store the documents of up to `limit` issued invoices that have none yet; how many it stored.
    Rendering runs in a thread, so the worker's bill runs keep their heartbeat while it draws."""
    stored = 0
    for invoice_id in await unit.documents.issued_without_document(limit):
        view = await invoice_view(unit, invoice_id)
        pdf = await asyncio.to_thread(render, view)
        await unit.documents.keep_first(invoice_id, pdf, sha256_of(pdf))
        stored += 1
    return stored
