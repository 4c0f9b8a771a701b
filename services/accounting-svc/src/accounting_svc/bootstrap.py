"""Composition root of accounting-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from accounting_svc.adapters.exposure_clients import open_disputes, pending_credit_requests
from accounting_svc.adapters.invoice_client import HttpInvoiceService
from accounting_svc.adapters.tables import common, metadata
from accounting_svc.context import AccountingContext, AccountingDeps
from accounting_svc.entrypoints.api import routers
from accounting_svc.entrypoints.api.errors import ERRORS
from accounting_svc.entrypoints.api.links import LINKS
from accounting_svc.entrypoints.unapplied_sweeper import sweep_unapplied_payments
from accounting_svc.settings import Settings
from mediabill_common.service import build_context, create_app


def build(settings: Settings | None = None, *, invoice_client: httpx.AsyncClient | None = None) \
        -> AccountingContext:
    """The service's context; `invoice_client` replaces the HTTP client to invoice-svc (tests pass an ASGI one)."""
    settings = settings or Settings()
    client = invoice_client or httpx.AsyncClient(base_url=settings.invoice_svc_url,
                                                 timeout=settings.invoice_svc_timeout_s)
    secret, subject = settings.jwt_hs256_secret or "", settings.service_name
    invoice_svc = HttpInvoiceService(client, jwt_secret=secret, subject=subject)
    disputes = httpx.AsyncClient(base_url=settings.dispute_svc_url, timeout=settings.exposure_timeout_s)
    adjustments = httpx.AsyncClient(base_url=settings.adjustment_svc_url, timeout=settings.exposure_timeout_s)
    deps = AccountingDeps(client, invoice_svc, open_disputes(disputes, jwt_secret=secret, subject=subject),
                          pending_credit_requests(adjustments, jwt_secret=secret, subject=subject),
                          (disputes, adjustments))
    return build_context(settings, metadata, common).with_deps(deps)


def build_app(ctx: AccountingContext | None = None) -> FastAPI:
    ctx = ctx or build()
    context = ctx

    async def sweeper(stop: asyncio.Event) -> None:
        await sweep_unapplied_payments(context, stop)

    return create_app(ctx, title="accounting-svc",
                      description="The revenue subledger: journal, trial balance, revenue, period close and the "
                                  "ERP and BI feeds (close.md).",
                      routers=routers, links=LINKS, errors=ERRORS, background=[sweeper])
