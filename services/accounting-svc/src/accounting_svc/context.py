"""The context accounting-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from accounting_svc.app.ports import InvoiceService
from accounting_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext


@dataclass
class AccountingDeps(Dependencies):
    """What the use cases need beyond one transaction: invoice-svc's billing status and unbilled snapshots, which
    only invoice-svc knows at close (C9, C10)."""

    invoice_http: httpx.AsyncClient  # closed with the context
    invoice_svc: InvoiceService

    async def aclose(self) -> None:
        await self.invoice_http.aclose()


AccountingContext = ServiceContext[Settings, AccountingDeps]
