"""Composition root of product-config-svc: builds the context and the app; no module-level singletons."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mediabill_common.service import ServiceContext, build_context, create_app
from mediabill_common.web.problems import Conflict, NotFound, Problem, Unprocessable, problem_response
from product_config_svc.adapters.invoice_client import HttpPriceSimulator
from product_config_svc.adapters.tables import common, metadata
from product_config_svc.app.ports import PRICE_SIMULATOR
from product_config_svc.domain.errors import ConfigError, InvalidConfiguration, RuleViolation, UnknownEntity
from product_config_svc.entrypoints.api import routers
from product_config_svc.entrypoints.api.links import LINKS
from product_config_svc.settings import Settings


def build(settings: Settings | None = None, *, invoice_client: httpx.AsyncClient | None = None) -> ServiceContext:
    """The service's context; `invoice_client` replaces the HTTP client to invoice-svc (tests pass an ASGI one)."""
    settings = settings or Settings()
    ctx = build_context(settings, metadata, common)
    client = invoice_client or httpx.AsyncClient(base_url=settings.invoice_svc_url,
                                                 timeout=settings.invoice_svc_timeout_s)
    ctx.extras[PRICE_SIMULATOR] = HttpPriceSimulator(client, jwt_secret=settings.jwt_hs256_secret or "",
                                                     subject=settings.service_name)
    return ctx


def problem_for(exc: ConfigError) -> Problem:
    """The problem+json a refused configuration change is answered with."""
    if isinstance(exc, InvalidConfiguration):
        return Unprocessable(f"The configuration is not valid: {exc}",
                             errors=[p.as_dict() for p in exc.problems])
    if isinstance(exc, UnknownEntity):
        return NotFound(str(exc))
    if isinstance(exc, RuleViolation):
        return Conflict(exc.detail, **exc.extra)
    return Conflict(str(exc))


def build_app(ctx: ServiceContext | None = None) -> FastAPI:
    ctx = ctx or build()
    app = create_app(ctx, title="product-config-svc",
                     description="Ad products, rate cards, billing accounts, contracts and go-live readiness.",
                     routers=routers, links=LINKS)

    @app.exception_handler(ConfigError)
    async def _config_error(request: Request, exc: ConfigError) -> JSONResponse:
        return problem_response(problem_for(exc), request)

    return app
