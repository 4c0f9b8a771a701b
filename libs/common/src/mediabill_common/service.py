"""What every service is built from: its context (composition root parts) and its FastAPI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mediabill_common.audit import AuditTrail, audit_router
from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.db.engine import make_engine, make_session_factory
from mediabill_common.db.tables import CommonTables, define_common_tables
from mediabill_common.events.catalog import service_source
from mediabill_common.events.sources import TrustedSources
from mediabill_common.outbox.writer import OutboxWriter
from mediabill_common.settings import ServiceSettings
from mediabill_common.web.authentication import AuthenticateFirst
from mediabill_common.web.body_limit import LimitRequestBody
from mediabill_common.web.docs import DOCS_PATH, is_docs_asset, serve_docs
from mediabill_common.web.health import KafkaProbe, health_router
from mediabill_common.web.idempotency import IdempotencyMiddleware
from mediabill_common.web.nul_characters import RefuseNulCharacters
from mediabill_common.web.observability import ObservabilityMiddleware
from mediabill_common.web.openapi_links import Link, document_links
from mediabill_common.web.openapi_problems import document_problem_responses
from mediabill_common.web.problems import Problem, install_problem_handlers, problem_response
from mediabill_common.web.query_parameters import refuse_unknown_query_parameters

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
DepsT = TypeVar("DepsT", bound="Dependencies")
OtherDepsT = TypeVar("OtherDepsT", bound="Dependencies")


class Dependencies:
    """A service's own dependencies (outbound clients, clocks, executors) as typed attributes of a subclass.

    Built in the service's bootstrap after the context (they often need its sessions or settings) and attached with
    `ServiceContext.with_deps`; closed with the context."""

    async def aclose(self) -> None:
        """Release what the dependencies hold (HTTP clients, pools); nothing by default."""


@dataclass
class ServiceContext(Generic[SettingsT, DepsT]):
    """A service's composition root: its own settings type, the shared parts every service has, and its own
    dependencies (`deps`)."""

    settings: SettingsT
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: CommonTables
    outbox: OutboxWriter
    audit: AuditTrail
    verifier: JwtVerifier
    kafka_probe: KafkaProbe
    deps: DepsT
    # Reads (GET and HEAD) use these: autocommit on read-only connections, see make_engine. None: `sessions`.
    read_engine: AsyncEngine | None = None
    read_sessions: async_sessionmaker[AsyncSession] | None = None

    def with_deps(self, deps: OtherDepsT) -> ServiceContext[SettingsT, OtherDepsT]:
        """The same context with the service's own dependencies attached."""
        return ServiceContext(settings=self.settings, engine=self.engine, sessions=self.sessions,
                              tables=self.tables, outbox=self.outbox, audit=self.audit, verifier=self.verifier,
                              kafka_probe=self.kafka_probe, deps=deps,
                              read_engine=self.read_engine, read_sessions=self.read_sessions)

    @property
    def source(self) -> str:
        return service_source(self.settings.service_name)

    @property
    def trusted_sources(self) -> TrustedSources:
        """Who may publish what this service consumes (the catalog's producers and the configured outside sources)."""
        return TrustedSources.configured(self.settings.external_event_sources)

    async def close(self) -> None:
        await self.deps.aclose()
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()


def build_context(settings: SettingsT, metadata: MetaData, common: CommonTables | None = None) \
        -> ServiceContext[SettingsT, Dependencies]:
    """Wire the shared parts of a service; `common` are its shared tables if it defined them already."""
    engine = make_engine(settings.database_url, application_name=settings.service_name,
                         pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    # Reads get a pool of their own: each statement autocommits (PostgreSQL's default READ COMMITTED gives every
    # statement its own snapshot inside a transaction too, so a read loses nothing by it) and saves the BEGIN and
    # ROLLBACK round trips a transaction would cost; the connections refuse writes. Opened on first use only.
    reads = make_engine(settings.database_url, application_name=f"{settings.service_name}-reads",
                        pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow, read_only=True)
    tables = common or define_common_tables(metadata)
    return ServiceContext(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        read_engine=reads,
        read_sessions=make_session_factory(reads),
        tables=tables,
        outbox=OutboxWriter(tables.outbox, source=service_source(settings.service_name)),
        audit=AuditTrail(tables.audit_log),
        verifier=JwtVerifier(hs256_secret=settings.jwt_hs256_secret, jwks_url=settings.jwt_jwks_url,
                             issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                             roles_claim=settings.jwt_roles_claim),
        kafka_probe=KafkaProbe(settings.kafka_bootstrap_servers),
        deps=Dependencies(),
    )


def _answer_as_problem(app: FastAPI, error_type: type[Exception], to_problem: Callable[[Any], Problem]) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(to_problem(exc), request)

    app.add_exception_handler(error_type, handle)


def create_app(ctx: ServiceContext[Any, Any], *, title: str, description: str, routers: list[APIRouter],
               on_shutdown: list[Callable[[], Any]] | None = None, version: str = "1.0.0",
               background: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] | None = None,
               links: Sequence[Link] = (),
               errors: Mapping[type[Exception], Callable[[Any], Problem]] | None = None) -> FastAPI:
    """The FastAPI app of a service: problem+json, auth (before any body is read), a body size limit,
    idempotency, metrics, health, audit, its routers.

    `background` are long-running tasks started with the app; each gets an event
    that is set at shutdown and is awaited before the app stops. `links` are the OpenAPI links between its
    operations (what a response gives the next call), documented in its `/openapi.json`. `errors` maps the
    service's domain and application errors to problem+json, in this one place: its app/ layer raises them and
    knows nothing of HTTP.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = [asyncio.create_task(worker(stop)) for worker in background or []]
        yield
        stop.set()
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        for hook in on_shutdown or []:
            result = hook()
            if hasattr(result, "__await__"):
                await result
        await ctx.close()

    otel = ctx.settings.otel_telemetry
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  telemetry={"tracing": otel, "metrics": otel, "logs": otel, "operation_spans": otel})
    app.state.ctx = ctx
    app.add_middleware(IdempotencyMiddleware, table_getter=lambda: ctx.tables.idempotency_keys,
                       engine_getter=lambda: ctx.engine)
    guard_requests(app, ctx.settings, ctx.verifier)
    for error_type, to_problem in (errors or {}).items():
        _answer_as_problem(app, error_type, to_problem)
    app.add_middleware(ObservabilityMiddleware)
    serve_docs(app)
    app.include_router(health_router())
    app.include_router(audit_router())
    for router in routers:
        app.include_router(router)
    document_problem_responses(app)
    document_links(app, links)
    return app


def guard_requests(app: FastAPI, settings: ServiceSettings, verifier: JwtVerifier) -> None:
    """The guard every Mediabill API has in front of its routes (the services' and tools/collections'): errors as
    problem+json and, around the middleware added so far (a service's idempotency), NUL characters refused, the
    body capped as it is read and, outermost, the bearer token verified before anything reads the body. Every route
    included afterwards refuses query parameters it does not declare (web.query_parameters)."""
    app.state.verifier = verifier
    install_problem_handlers(app)
    app.router.dependencies.append(Depends(refuse_unknown_query_parameters))
    # Outside idempotency: a request PostgreSQL cannot store is refused before its Idempotency-Key is claimed.
    app.add_middleware(RefuseNulCharacters)
    # Outside everything that reads the body: the token is checked first, then the body counted as it is read.
    app.add_middleware(LimitRequestBody, max_bytes=settings.http_max_body_bytes)
    app.add_middleware(AuthenticateFirst, public_paths=_public_paths(app), public_when=is_docs_asset)


def _public_paths(app: FastAPI) -> set[str]:
    """What answers without a token: health, metrics and the API's own documents (health_router, FastAPI)."""
    documents = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url, DOCS_PATH}
    return {"/health/live", "/health/ready", "/metrics"} | {path for path in documents if path}
