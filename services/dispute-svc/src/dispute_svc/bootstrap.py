"""Composition root of dispute-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

from fastapi import FastAPI

from dispute_svc.adapters.invoice_svc_client import HttpInvoiceServiceClient, RememberedPriceSimulations
from dispute_svc.adapters.tables import common, metadata
from dispute_svc.app.ports import Clock, InvoiceServiceClient, SystemClock
from dispute_svc.entrypoints.api import routers
from dispute_svc.entrypoints.api.errors import install_dispute_problems
from dispute_svc.entrypoints.api.links import LINKS
from dispute_svc.settings import Settings
from mediabill_common.service import ServiceContext, build_context, create_app


def build(settings: Settings | None = None, *, invoice_client: InvoiceServiceClient | None = None,
          clock: Clock | None = None) -> ServiceContext:
    """The service's parts; tests hand in another invoice-svc client (e.g. over ASGI) or a fixed clock."""
    settings = settings or Settings()
    ctx = build_context(settings, metadata, common)
    client = invoice_client or HttpInvoiceServiceClient(
        settings.invoice_svc_url, secret=settings.jwt_hs256_secret or "", timeout_s=settings.invoice_svc_timeout_s)
    ctx.extras["invoice_client"] = RememberedPriceSimulations(client, size=settings.reprice_cache_size,
                                                              ttl_s=settings.reprice_cache_ttl_s)
    ctx.extras["clock"] = clock or SystemClock()
    return ctx


def build_app(ctx: ServiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    app = create_app(ctx, title="dispute-svc",
                      description="Advertiser disputes from opening to resolution, with evidence and SLAs: the "
                                  "billing-operations tool for turnaround, fairness and policy.",
                      routers=routers, links=LINKS)
    install_dispute_problems(app)
    return app
