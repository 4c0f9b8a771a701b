"""Composition root of product-config-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mediabill_common.service import build_context, create_app
from product_config_svc.adapters.invoice_client import HttpPriceSimulator, HttpSourceReconciler
from product_config_svc.adapters.tables import common, metadata
from product_config_svc.app.ports import CutoverPolicy
from product_config_svc.context import ProductConfigContext, ProductConfigDeps
from product_config_svc.entrypoints.api import routers
from product_config_svc.entrypoints.api.errors import ERRORS
from product_config_svc.entrypoints.api.links import LINKS
from product_config_svc.settings import Settings


def build(settings: Settings | None = None, *, invoice_client: httpx.AsyncClient | None = None) \
        -> ProductConfigContext:
    """The service's context; `invoice_client` replaces the HTTP client to invoice-svc (tests pass an ASGI one)."""
    settings = settings or Settings()
    client = invoice_client or httpx.AsyncClient(base_url=settings.invoice_svc_url,
                                                 timeout=settings.invoice_svc_timeout_s)
    secret = settings.jwt_hs256_secret or ""
    simulator = HttpPriceSimulator(client, jwt_secret=secret, subject=settings.service_name)
    reconciler = HttpSourceReconciler(client, jwt_secret=secret, subject=settings.service_name)
    policy = CutoverPolicy(settings.cutover_readiness_days, settings.cutover_tolerance_pct)
    return build_context(settings, metadata, common).with_deps(
        ProductConfigDeps(client, simulator, reconciler, policy))


def build_app(ctx: ProductConfigContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="product-config-svc",
                      description="Ad products, rate cards, billing accounts, contracts and go-live readiness.",
                      routers=routers, links=LINKS, errors=ERRORS)
