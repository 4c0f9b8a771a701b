"""Composition root of dispute-svc: builds the typed context and the app; no module-level singletons."""

from __future__ import annotations

from fastapi import FastAPI

from dispute_svc.adapters.clock import SystemClock
from dispute_svc.adapters.invoice_svc_client import HttpInvoiceServiceClient, RememberedPriceSimulations
from dispute_svc.adapters.tables import common, metadata
from dispute_svc.app.ports import Clock, InvoiceServiceClient
from dispute_svc.context import DisputeContext, DisputeDeps
from dispute_svc.entrypoints.api import routers
from dispute_svc.entrypoints.api.errors import ERRORS
from dispute_svc.entrypoints.api.links import LINKS
from dispute_svc.settings import Settings
from mediabill_common.service import build_context, create_app


def build(settings: Settings | None = None, *, invoice_client: InvoiceServiceClient | None = None,
          clock: Clock | None = None) -> DisputeContext:
    """The service's parts; tests hand in another invoice-svc client (e.g. over ASGI) or a fixed clock."""
    settings = settings or Settings()
    client = invoice_client or HttpInvoiceServiceClient(
        settings.invoice_svc_url, secret=settings.jwt_hs256_secret or "", timeout_s=settings.invoice_svc_timeout_s)
    deps = DisputeDeps(
        invoice_client=RememberedPriceSimulations(client, size=settings.reprice_cache_size,
                                                  ttl_s=settings.reprice_cache_ttl_s),
        clock=clock or SystemClock())
    return build_context(settings, metadata, common).with_deps(deps)


def build_app(ctx: DisputeContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="dispute-svc",
                      description="Advertiser disputes from opening to resolution, with evidence and SLAs: the "
                                  "billing-operations tool for turnaround, fairness and policy.",
                      routers=routers, links=LINKS, errors=ERRORS)
