"""The context accounting-svc runs in, typed: its settings and its own dependencies (bootstrap builds both)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from accounting_svc.app.ports import InvoiceService, OpenAmountsService
from accounting_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext


@dataclass
class AccountingDeps(Dependencies):
    """What the use cases need beyond one transaction: invoice-svc's billing status and unbilled snapshots, which
    only invoice-svc knows at close (C9, C10), and the exposure dispute-svc and adjustment-svc hold (C10,
    informational). Unit and integration tests hand in fakes."""

    invoice_http: httpx.AsyncClient  # closed with the context
    invoice_svc: InvoiceService
    open_disputes: OpenAmountsService
    pending_credit_requests: OpenAmountsService
    other_http: tuple[httpx.AsyncClient, ...] = ()  # closed with the context

    async def aclose(self) -> None:
        await self.invoice_http.aclose()
        for client in self.other_http:
            await client.aclose()


AccountingContext = ServiceContext[Settings, AccountingDeps]
