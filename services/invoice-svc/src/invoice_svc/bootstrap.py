"""Composition root of invoice-svc: builds the context and the app; no module-level singletons."""

from fastapi import FastAPI

from invoice_svc.adapters.tables import common, metadata
from invoice_svc.app.bill_runs import BillRunExecutor
from invoice_svc.app.simulation_pool import SimulationPool
from invoice_svc.entrypoints.api import routers
from invoice_svc.entrypoints.api.links import LINKS
from invoice_svc.settings import Settings
from mediabill_common.service import ServiceContext, build_context, create_app


def build(settings: Settings | None = None) -> ServiceContext:
    return build_context(settings or Settings(), metadata, common)


def build_app(ctx: ServiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    # Every API process runs a bill-run executor; they share the queue of runs (FOR UPDATE SKIP LOCKED).
    executor = ctx.extras.get("bill_run_executor")
    if executor is None:
        executor = ctx.extras["bill_run_executor"] = BillRunExecutor(ctx)
    if "simulation_pool" not in ctx.extras:
        ctx.extras["simulation_pool"] = SimulationPool(ctx.settings.price_simulation_workers)
    return create_app(ctx, title="invoice-svc",
                      description="Delivery ingestion, pricing, bill runs, invoices, billing exceptions and balances.",
                      routers=routers, background=[executor.run], links=LINKS)
