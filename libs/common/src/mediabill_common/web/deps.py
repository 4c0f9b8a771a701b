"""Request-scoped dependencies every router uses: the service context and a database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from mediabill_common.service import ServiceContext


async def get_ctx(request: Request) -> ServiceContext[Any, Any]:
    """The service context (async: FastAPI would run a plain function in its thread pool on every request)."""
    ctx: ServiceContext[Any, Any] = request.app.state.ctx
    return ctx


_READS = frozenset({"GET", "HEAD"})


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request. Routes own the transaction (`async with session.begin():`). GET and HEAD
    requests read through the context's read sessions (autocommit, writes refused) when it has them."""
    ctx = request.app.state.ctx
    factory = ctx.read_sessions if request.method in _READS and ctx.read_sessions is not None else ctx.sessions
    async with factory() as session:
        yield session


# Any service's context: a router of common (audit) serves every service; a service's own routers may name theirs.
Ctx = Annotated["ServiceContext[Any, Any]", Depends(get_ctx)]
Session = Annotated[AsyncSession, Depends(db_session)]
