"""Composition root of product-config-svc: builds the context and the app; no module-level singletons."""

from fastapi import FastAPI

from mediabill_common.service import ServiceContext, build_context, create_app

from product_config_svc.adapters.tables import common, metadata
from product_config_svc.entrypoints.api import routers
from product_config_svc.settings import Settings


def build(settings: Settings | None = None) -> ServiceContext:
    return build_context(settings or Settings(), metadata, common)


def build_app(ctx: ServiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="product-config-svc", description="Ad products, rate cards, billing accounts, contracts and go-live readiness.", routers=routers)
