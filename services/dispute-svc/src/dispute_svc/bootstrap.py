"""Composition root of dispute-svc: builds the context and the app; no module-level singletons."""

from fastapi import FastAPI

from mediabill_common.service import ServiceContext, build_context, create_app

from dispute_svc.adapters.tables import common, metadata
from dispute_svc.entrypoints.api import routers
from dispute_svc.settings import Settings


def build(settings: Settings | None = None) -> ServiceContext:
    return build_context(settings or Settings(), metadata, common)


def build_app(ctx: ServiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    return create_app(ctx, title="dispute-svc", description="Advertiser disputes from opening to resolution, with evidence and SLAs.", routers=routers)
