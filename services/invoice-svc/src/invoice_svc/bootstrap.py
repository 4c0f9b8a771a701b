"""Composition root of invoice-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

from fastapi import FastAPI

from invoice_svc.adapters.tables import common, metadata
from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.simulation_pool import SimulationPool
from invoice_svc.context import InvoiceContext, InvoiceDeps
from invoice_svc.entrypoints.api import routers
from invoice_svc.entrypoints.api.errors import ERRORS
from invoice_svc.entrypoints.api.links import LINKS
from invoice_svc.settings import Settings
from mediabill_common.service import build_context, create_app


def build(settings: Settings | None = None) -> InvoiceContext:
    settings = settings or Settings()
    ctx = build_context(settings, metadata, common)
    units = SqlUnits(ctx)
    return ctx.with_deps(InvoiceDeps(units=units, simulations=SimulationPool(settings.price_simulation_workers)))


def build_app(ctx: InvoiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="invoice-svc",
                      description="Delivery ingestion, pricing, bill runs, invoices, billing exceptions and balances.",
                      routers=routers, links=LINKS, errors=ERRORS)
