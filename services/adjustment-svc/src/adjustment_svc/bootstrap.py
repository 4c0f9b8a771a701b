"""Composition root of adjustment-svc: builds the context and the app; no module-level singletons."""

from fastapi import FastAPI

from adjustment_svc.adapters.tables import common, metadata
from adjustment_svc.entrypoints.api import routers
from adjustment_svc.entrypoints.api.errors import ERRORS
from adjustment_svc.entrypoints.api.links import LINKS
from adjustment_svc.settings import Settings
from mediabill_common.service import Dependencies, ServiceContext, build_context, create_app

# adjustment-svc has no dependencies of its own: no outbound client, nothing but its database and broker.
AdjustmentContext = ServiceContext[Settings, Dependencies]


def build(settings: Settings | None = None) -> AdjustmentContext:
    return build_context(settings or Settings(), metadata, common)


def build_app(ctx: AdjustmentContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="adjustment-svc", description="Credit and debit memos under approval controls.",
                      routers=routers, links=LINKS, errors=ERRORS)
