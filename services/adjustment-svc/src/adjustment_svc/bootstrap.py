"""Composition root of adjustment-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

from fastapi import FastAPI

from adjustment_svc.adapters.tables import common, metadata
from adjustment_svc.context import AdjustmentContext, AdjustmentDeps
from adjustment_svc.entrypoints.api import routers
from adjustment_svc.entrypoints.api.errors import ERRORS
from adjustment_svc.entrypoints.api.links import LINKS
from adjustment_svc.settings import Settings
from mediabill_common.service import build_context, create_app


def build(settings: Settings | None = None) -> AdjustmentContext:
    return build_context(settings or Settings(), metadata, common).with_deps(AdjustmentDeps())


def build_app(ctx: AdjustmentContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="adjustment-svc", description="Credit and debit memos under approval controls.",
                      routers=routers, links=LINKS, errors=ERRORS)
